"""Operations: the backup page, and the messages for a database that cannot take writes."""

TEXTS = {
    "ops.page.backup": ("数据备份", "Backup"),
    "ops.backup.title": ("数据备份", "Database backup"),
    "ops.backup.caption": (
        "下载当前数据库的完整备份。备份在运行中生成（SQLite 在线备份接口），其他人可照常使用系统，"
        "得到的是某一时刻的完整、一致的数据。每次下载都会记入审计日志。",
        "Download a complete backup of the current database. It is taken while the app runs (SQLite's "
        "online backup API): others keep working, and the file holds one complete, consistent moment. "
        "Every download is recorded in the audit log."),
    "ops.backup.download": ("下载数据库备份", "Download a database backup"),
    "ops.backup.size": ("数据库大小", "Database size"),
    "ops.backup.revision": ("数据库结构版本", "Schema revision"),
    "ops.backup.revision_value": ("{current}（最新 {head}）", "{current} (newest {head})"),
    "ops.backup.keep": (
        "备份文件包含全部数据（含账户和投票记录的密文），请存放在安全的位置。",
        "The file holds all the data (account and voting records included, in their hashed form): "
        "keep it somewhere safe."),
    "ops.backup.restore_title": ("从备份恢复", "Restoring a backup"),
    "ops.backup.restore_note": (
        "恢复会替换所有人正在使用的数据，因此只能在服务器上用命令完成。命令会先检查备份文件是否完整、"
        "是否属于本系统，检查通过后先另存当前数据库，再进行替换：",
        "A restore replaces the data everyone is using, so it is done on the server by command only. "
        "The command first checks that the file is whole and belongs to this app, then saves the "
        "current database aside, and only then replaces it:"),
    "ops.backup.pg": (
        "当前使用 PostgreSQL 数据库，请在服务器上用命令备份（需要 pg_dump）：",
        "This installation runs on PostgreSQL: back it up on the server by command (needs pg_dump):"),
    "ops.backup.failed": ("备份未能生成：{reason}", "The backup could not be made: {reason}"),
    "action.backup_download": ("下载数据库备份", "Database backup downloaded"),
    "action.db_restore": ("从备份恢复数据库", "Database restored from a backup"),
    # a database that cannot take writes (db.engine translates the driver's error)
    "error.storage_readonly": (
        "数据库当前为只读状态，本次修改未能保存（可以继续查看数据）。请联系系统管理员。",
        "The database is read-only at the moment, so this change was not saved (you can still view the "
        "data). Please contact the system administrator."),
    "error.storage_full": (
        "服务器存储空间已满，本次修改未能保存，已填写的内容没有写入。请联系系统管理员清理空间后重试。",
        "The server's storage is full, so this change was not saved and nothing of it was written. "
        "Please contact the system administrator to free space, then try again."),
    "error.backup_not_sqlite": ("页面下载仅适用于 SQLite 数据库。", "The download works for a SQLite database only."),
}
