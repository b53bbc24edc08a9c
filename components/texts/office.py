"""Word documents in the 公文 form and the offices' own templates (components/office/)."""

TEXTS = {
    "office.kind.eval_report": ("评价报告", "Evaluation report"),
    "office.kind.briefing": ("领导简报", "Leadership briefing"),
    "office.title": ("Word 文书模板", "Word document templates"),
    "office.caption": (
        "评价报告和领导简报按公文格式（GB/T 9704）由 Word 模板生成。可下载内置模板，在 Word 或 WPS 中修改版式、"
        "文字和单位名称后上传；模板中用 {{ 字段 }} 填入数据。上传前会用示例数据试填，缺少字段的模板不会保存。",
        "The evaluation report and the leadership briefing are made from Word templates in the official "
        "document layout (GB/T 9704). Download the built-in template, change its layout, wording and unit name "
        "in Word or WPS and upload it; {{ field }} tags fill in the data. An upload is first filled with "
        "sample data, and a template naming a field the document lacks is not saved."),
    "office.pick": ("文书", "Document"),
    "office.in_use_builtin": ("{name}当前使用内置模板。", "The {name} uses the built-in template."),
    "office.in_use_upload": ("{name}当前使用上传的模板“{filename}”（{user}，{at}）。",
                             "The {name} uses the uploaded template “{filename}” ({user}, {at})."),
    "office.download_builtin": ("下载内置模板", "Download the built-in template"),
    "office.download_upload": ("下载当前使用的模板", "Download the template in use"),
    "office.builtin": ("内置模板", "built-in template"),
    "office.fields": ("模板可用字段", "Fields a template may use"),
    "office.fields_note": (
        "字段写作 {{ 字段 }}；带 [] 的是列表，用 {%p for 项 in 列表 %} … {%p endfor %} 逐项填入（见内置模板）。",
        "Write a field as {{ field }}; one marked [] is a list, filled item by item with "
        "{%p for item in list %} … {%p endfor %} (see the built-in template)."),
    "office.col.field": ("字段", "Field"),
    "office.col.example": ("示例", "Example"),
    "office.file": ("选择模板文件（.docx）", "Template file (.docx)"),
    "office.upload": ("检查并启用模板", "Check and use the template"),
    "office.saved": ("{name}今后使用模板“{filename}”。", "The {name} now uses the template “{filename}”."),
    "office.reset": ("恢复内置模板", "Back to the built-in template"),
    "office.reset_done": ("{name}已恢复使用内置模板。", "The {name} uses the built-in template again."),
    "office.stored_broken": (
        "上传的{name}模板不能使用（{problem}），本次使用内置模板。请联系管理员更新模板。",
        "The uploaded {name} template cannot be used ({problem}); the built-in one is used instead. "
        "Please ask an administrator to update the template."),
    "office.field.template": ("模板", "Template"),
    "office.field.kind": ("文书", "Document"),
    "office.field.filename": ("文件名", "File name"),
    "office.error.not_docx": ("{field}不是 Word 文档（.docx），请在 Word 或 WPS 中另存为 .docx 后上传。",
                              "The {field} is not a Word document (.docx): save it as .docx in Word or WPS."),
    "office.error.size": ("{field}超过 {mb} MB。", "The {field} is larger than {mb} MB."),
    "office.error.missing_fields": ("{field}使用了文书中没有的字段：{fields}。请对照“模板可用字段”修改。",
                                    "The {field} names fields the document does not have: {fields}. "
                                    "Compare it with “Fields a template may use”."),
    "office.error.syntax": ("{field}中的填充标记写法有误：{detail}。", "A tag in the {field} is not well written: {detail}."),
    "office.error.render": ("按此{field}生成文书时出错：{detail}。", "Filling the {field} failed: {detail}."),
    "action.office_template_upload": ("上传 Word 文书模板", "Word template uploaded"),
    "action.office_template_reset": ("恢复内置 Word 文书模板", "Built-in Word template restored"),
}
