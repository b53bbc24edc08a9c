"""Strings of the objections during 公示 (异议): the public section of the vote page and the staff page."""

TEXTS = {
    "obj.page.staff": ("公示异议处理", "Objections during notice"),
    # public: the vote page of a published campaign
    "obj.public.title": ("公示期异议", "Objections during the notice period"),
    "obj.public.caption": ("公示期内，任何人可对入选案例提出异议；异议经核实手机号后提交，管理部门逐条答复，答复随结果公布。",
                           "During the notice period anyone may object to a selected case; an objection is sent from "
                           "a verified mobile number, each one is answered, and the answers are published with the "
                           "results."),
    "obj.public.closed": ("公示期已结束，不再受理异议。", "The notice period is over: objections are no longer taken."),
    "obj.public.voided": ("「{title}」（{organization}）的评选结果已撤销：{reason}",
                          "The result of “{title}” ({organization}) has been voided: {reason}"),
    "obj.public.answered": ("异议答复", "Answers to objections"),
    "obj.public.none_answered": ("暂无已答复的异议。", "No objection has been answered yet."),
    "obj.public.item": ("异议 {id} · 针对「{title}」 · {decision}", "Objection {id} · on “{title}” · {decision}"),
    "obj.public.grounds": ("异议理由：", "Grounds:"),
    "obj.public.answer": ("答复意见（{day}）：", "Answer ({day}):"),
    "obj.public.case_voided": ("该案例的评选结果已据此撤销，排名已重新计算并公布。",
                               "The case's result was voided on this objection; the ranking was recomputed and "
                               "republished."),
    "obj.public.file": ("提出异议", "Object to a case"),
    "obj.step1": ("**第一步**：阅读说明并勾选同意，输入手机号码，通过验证后获取短信验证码。",
                  "**Step 1**: read the notice and tick your agreement, enter your mobile number and pass the check "
                  "to get a text-message code."),
    "obj.notice": ("手机号码只用于发送验证码和执行每人异议次数的限制，系统不保存号码本身，只保存由它计算出的带密钥哈希值。"
                   "**异议理由将与答复一同公开**，请勿填写姓名、电话、住址等个人信息。",
                   "Your number is used only to send the code and to apply the limit of objections per person; it is "
                   "not stored, only a keyed hash computed from it. **Your grounds are published with the answer**: "
                   "do not write names, phone numbers or addresses in them."),
    "obj.consent": ("我已阅读并同意以上说明", "I have read and agree to the above"),
    "obj.step2": ("**第二步**：输入短信验证码。", "**Step 2**: enter the code from the text message."),
    "obj.step3": ("**第三步**：选择案例，写明异议理由并提交。", "**Step 3**: pick the case, write your grounds and send."),
    "obj.verified": ("手机号已验证，可以提交异议。", "Number verified: you may send objections."),
    "obj.left": ("您在本次评选中还可提交 {left} 条异议（每个案例限 1 条）。",
                 "You may send {left} more {left|objection|objections} in this campaign (one per case)."),
    "obj.none_left": ("您在本次评选中的异议次数已用完。", "You have used every objection you may send in this campaign."),
    "obj.verify": ("验证", "Verify"),
    "obj.submit": ("提交异议", "Send the objection"),
    "obj.filed": ("异议已提交，编号 {id}。答复将在本页公布，请凭编号查看。",
                  "Objection sent, number {id}. The answer will be published on this page under that number."),
    "obj.field.case_id": ("异议案例", "Case objected to"),
    "obj.field.grounds": ("异议理由", "Grounds"),
    "obj.field.phone": ("手机号码", "Mobile number"),
    "obj.field.code": ("验证码", "Code"),
    "obj.field.decision": ("处理结果", "Decision"),
    "obj.field.answer": ("答复意见", "Answer"),
    "obj.field.void_case": ("撤销该案例的评选结果", "Void the case's result"),
    "obj.field.void_reason": ("撤销理由", "Reason for voiding"),
    "obj.grounds_help": ("{min}–{max} 个字，写明事实和依据。", "Length {min} to {max}: the facts and what they rest on."),
    "obj.decision.upheld": ("异议成立", "Upheld"),
    "obj.decision.dismissed": ("异议不成立", "Dismissed"),
    "obj.decision.pending": ("待答复", "Awaiting an answer"),
    # errors
    "obj.error.notice_closed": ("该评选不在公示期内，不受理异议。", "This campaign is not in its notice period: no objection "
                                "is taken."),
    "obj.error.not_winner": ("「{field}」须为本次公示的入选案例。", "“{field}” must be a case selected in this notice."),
    "obj.error.already_objected": ("您已对该案例提出过异议（每个案例限 1 条）。",
                                   "You have already objected to this case (one objection per case)."),
    "obj.error.limit": ("每个手机号在本次评选中最多提交 {limit} 条异议，您的次数已用完。",
                        "A mobile number may send at most {limit} {limit|objection|objections} in a campaign; yours "
                        "are used."),
    "obj.error.answered": ("该异议已经答复过，答复不能修改。", "This objection has already been answered; an answer "
                           "cannot be changed."),
    "obj.error.void_needs_upheld": ("只有异议成立时才能「{field}」。", "Only an upheld objection can “{field}”."),
    "obj.error.void_reason": ("撤销评选结果须填写「{field}」。", "Voiding a result needs a “{field}”."),
    "obj.error.case_void": ("该案例的评选结果已被撤销，不能再次「{field}」。",
                            "This case's result is already voided: cannot “{field}” again."),
    # staff page
    "obj.staff.caption": ("公示期内公众提出的异议：逐条答复（异议成立或不成立，写明理由），答复随结果公布；"
                          "异议成立时可撤销该案例的评选结果，系统重新计算排名并重新公布（公示期重新起算）。全部操作记入审计日志。",
                          "Objections the public sent during the notice: answer each (upheld or dismissed, with "
                          "reasons); answers are published with the results. An upheld objection may void the case's "
                          "result: the ranking is recomputed and republished (a new notice period). Every step is in "
                          "the audit log."),
    "obj.staff.none": ("还没有已公布结果的评选活动。", "No campaign has published its results yet."),
    "obj.staff.pick": ("评选活动", "Campaign"),
    "obj.staff.notice": ("公示期至 {until}（{state}）", "Notice until {until} ({state})"),
    "obj.staff.running": ("进行中", "running"),
    "obj.staff.over": ("已结束", "over"),
    "obj.staff.pending": ("待答复 {n} 条", "{n} awaiting an answer"),
    "obj.staff.no_objections": ("该评选没有收到异议。", "No objection was sent for this campaign."),
    "obj.staff.answer_title": ("答复异议", "Answer an objection"),
    "obj.staff.pick_objection": ("待答复的异议", "Objection awaiting an answer"),
    "obj.staff.void_hint": ("勾选后，该案例退出排名，其余案例重新计算排名并重新公布。",
                            "Ticked, the case leaves the ranking; the others are ranked again and republished."),
    "obj.staff.answer_button": ("提交答复", "Send the answer"),
    "obj.staff.answered": ("已答复异议。", "Objection answered."),
    "obj.staff.answered_void": ("已答复异议，撤销该案例的评选结果并重新公布排名。",
                                "Objection answered: the case's result was voided and the ranking republished."),
    "obj.staff.read_only": ("只读：区领导可查看异议及答复，答复由管理员操作。",
                            "Read only: leaders see objections and answers; administrators answer."),
    "obj.staff.voided_title": ("已撤销评选结果的案例", "Cases whose result was voided"),
    "obj.staff.excel": ("下载异议清单（Excel）", "Download the objections (Excel)"),
    "obj.staff.excel_name": ("公示异议", "Objections"),
    "obj.col.id": ("编号", "No."),
    "obj.col.title": ("案例", "Case"),
    "obj.col.filed_at": ("提出时间", "Sent"),
    "obj.col.grounds": ("异议理由", "Grounds"),
    "obj.col.state": ("状态", "State"),
    "obj.col.answer": ("答复意见", "Answer"),
    "obj.col.answered_at": ("答复时间", "Answered"),
    "obj.col.voided_case": ("撤销结果", "Result voided"),
    "obj.col.organization": ("申报单位", "Organization"),
    "obj.col.void_reason": ("撤销理由", "Reason"),
    "obj.col.voided_at": ("撤销时间", "Voided"),
}
