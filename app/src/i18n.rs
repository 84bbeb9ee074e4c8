//! Every word of the admin, in each language Hark speaks; each person's choice (stored
//! with them), else their browser's. The domain's enums are named here too, so a page
//! never shows a raw `pending` or `after_sale`.

use hark_core::model::{EventKind, Kind, Priority, Stage, Status};

use hark_core::words::Language;

pub struct Words {
    pub settings: &'static str,
    pub your_language: &'static str,
    pub language_browser: &'static str,
    pub language_hint: &'static str,
    pub org_time_zone: &'static str,
    pub time_zone_hint: &'static str,
    pub owners_only: &'static str,
    pub saved_reply_title: &'static str,
    pub saved_reply_body: &'static str,
    pub add_saved_reply: &'static str,
    pub saved_replies_hint: &'static str,
    pub no_saved_replies: &'static str,
    pub delete: &'static str,
    pub sign_in_title: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub wrong_credentials: &'static str,
    pub busy: &'static str,
    pub throttled: &'static str,
    pub your_password: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub password_rules: &'static str,
    pub wrong_current_password: &'static str,
    pub password_changed: &'static str,
    pub change_password: &'static str,
    pub sign_out_everywhere: &'static str,
    pub sign_out_everywhere_hint: &'static str,
    pub people: &'static str,
    pub role_label: &'static str,
    pub people_hint: &'static str,
    pub invite_person: &'static str,
    pub invite: &'static str,
    pub invite_link_hint: &'static str,
    pub open_invitations: &'static str,
    pub no_invitations: &'static str,
    pub withdraw: &'static str,
    pub remove: &'static str,
    pub save_role: &'static str,
    pub joined: &'static str,
    pub expires: &'static str,
    pub owners_manage_people: &'static str,
    pub invite_title: &'static str,
    pub invite_intro: &'static str,
    pub choose_password: &'static str,
    pub join: &'static str,
    pub invite_gone: &'static str,
    pub invited_as: &'static str,
    pub api_tokens: &'static str,
    pub api_tokens_hint: &'static str,
    pub token_name: &'static str,
    pub token_name_rules: &'static str,
    pub create_token: &'static str,
    pub token_shown_once: &'static str,
    pub no_tokens: &'static str,
    pub revoke: &'static str,
    pub never_used: &'static str,
    pub made_on: &'static str,
    pub last_used: &'static str,
    pub unreachable: &'static str,
    pub lang: &'static str,
    /// The sites and audit pages'.
    pub setup: &'static SetupWords,
    pub insights: &'static InsightWords,
    /// The shoppers' words: ratings' and categories' names.
    pub shop_words: &'static hark_core::words::Words,
    pub queue: &'static str,
    pub sign_out: &'static str,
    pub loading: &'static str,
    pub sign_in_again: &'static str,
    pub views: &'static str,
    pub view_all: &'static str,
    pub view_mine: &'static str,
    pub view_unassigned: &'static str,
    pub view_due: &'static str,
    pub view_low: &'static str,
    pub view_spam: &'static str,
    pub filters: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub any: &'static str,
    pub apply: &'static str,
    pub clear: &'static str,
    pub status: &'static str,
    pub kind: &'static str,
    pub priority: &'static str,
    pub assignee: &'static str,
    pub nobody: &'static str,
    pub me: &'static str,
    pub rating: &'static str,
    pub rating_up_to: &'static str,
    pub sort: &'static str,
    pub newest: &'static str,
    pub soonest_due: &'static str,
    pub received: &'static str,
    pub message: &'static str,
    pub site: &'static str,
    pub due: &'static str,
    pub overdue: &'static str,
    pub due_soon: &'static str,
    pub next_page: &'static str,
    /// After a count: rows that appeared since the page opened.
    pub just_arrived: &'static str,
    pub empty: &'static str,
    pub nothing_matches: &'static str,
    pub caption: &'static str,
    pub export: &'static str,
    // One submission.
    pub back: &'static str,
    pub from_shopper: &'static str,
    pub email: &'static str,
    pub name: &'static str,
    pub order: &'static str,
    pub page: &'static str,
    pub locale: &'static str,
    pub category: &'static str,
    pub stage: &'static str,
    pub customer: &'static str,
    pub verified_tier: &'static str,
    pub dimensions: &'static str,
    pub dimension_names: [&'static str; 5],
    pub metadata: &'static str,
    pub first_response_due: &'static str,
    pub resolution_due: &'static str,
    pub first_response_at: &'static str,
    pub resolved_at: &'static str,
    pub recovery: &'static str,
    pub triage: &'static str,
    pub tags: &'static str,
    pub tags_hint: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub timeline: &'static str,
    pub shopper: &'static str,
    pub reply: &'static str,
    pub reply_by_email: &'static str,
    pub reply_on_page: &'static str,
    pub reply_no_email: &'static str,
    pub saved_replies: &'static str,
    pub insert: &'static str,
    pub send_reply: &'static str,
    pub send_and: &'static str,
    pub keep_status: &'static str,
    pub note: &'static str,
    pub note_hint: &'static str,
    pub add_note: &'static str,
    pub viewer_only: &'static str,
    pub not_found: &'static str,
    pub none: &'static str,
    // Keyboard and bulk.
    pub keys_title: &'static str,
    /// (key, what it does)
    pub keys: [(&'static str, &'static str); 8],
    pub keys_hint: &'static str,
    pub close: &'static str,
    pub select: &'static str,
    pub selected: &'static str,
    pub bulk_resolve: &'static str,
    pub bulk_open: &'static str,
    pub bulk_assign_me: &'static str,
    pub bulk_spam: &'static str,
}

impl Words {
    /// A count as the tabs show it: digits grouped by thousands (both languages write
    /// 1,000), and "+" when there are more than that.
    pub fn count(&self, n: i64, more: bool) -> String {
        let digits = n.to_string();
        let mut text = String::with_capacity(digits.len() + 4);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                text.push(',');
            }
            text.push(digit);
        }
        if more {
            text.push('+');
        }
        text
    }

    pub fn status(&self, status: Status) -> &'static str {
        let en = self.lang == "en";
        match status {
            Status::New => {
                if en {
                    "New"
                } else {
                    "新"
                }
            }
            Status::Open => {
                if en {
                    "Open"
                } else {
                    "处理中"
                }
            }
            Status::Pending => {
                if en {
                    "Pending"
                } else {
                    "等待回复"
                }
            }
            Status::Resolved => {
                if en {
                    "Resolved"
                } else {
                    "已解决"
                }
            }
            Status::Spam => {
                if en {
                    "Spam"
                } else {
                    "垃圾信息"
                }
            }
        }
    }

    pub fn kind(&self, kind: Kind) -> &'static str {
        let en = self.lang == "en";
        match kind {
            Kind::Csat => {
                if en {
                    "Rating"
                } else {
                    "评分"
                }
            }
            Kind::Feedback => {
                if en {
                    "Feedback"
                } else {
                    "意见"
                }
            }
            Kind::Complaint => {
                if en {
                    "Complaint"
                } else {
                    "投诉"
                }
            }
        }
    }

    pub fn priority(&self, priority: Priority) -> &'static str {
        let en = self.lang == "en";
        match priority {
            Priority::Low => {
                if en {
                    "Low"
                } else {
                    "低"
                }
            }
            Priority::Normal => {
                if en {
                    "Normal"
                } else {
                    "普通"
                }
            }
            Priority::High => {
                if en {
                    "High"
                } else {
                    "高"
                }
            }
            Priority::Urgent => {
                if en {
                    "Urgent"
                } else {
                    "紧急"
                }
            }
        }
    }

    pub fn stage(&self, stage: Stage) -> &'static str {
        let en = self.lang == "en";
        match stage {
            Stage::PreSale => {
                if en {
                    "Before the sale"
                } else {
                    "售前"
                }
            }
            Stage::InSale => {
                if en {
                    "During the sale"
                } else {
                    "售中"
                }
            }
            Stage::AfterSale => {
                if en {
                    "After the sale"
                } else {
                    "售后"
                }
            }
        }
    }

    pub fn event(&self, kind: EventKind) -> &'static str {
        let en = self.lang == "en";
        match kind {
            EventKind::Received => {
                if en {
                    "Received"
                } else {
                    "收到"
                }
            }
            EventKind::Status => {
                if en {
                    "Status"
                } else {
                    "状态"
                }
            }
            EventKind::Priority => {
                if en {
                    "Priority"
                } else {
                    "优先级"
                }
            }
            EventKind::Assignee => {
                if en {
                    "Assignee"
                } else {
                    "负责人"
                }
            }
            EventKind::Tags => {
                if en {
                    "Tags"
                } else {
                    "标签"
                }
            }
            EventKind::Note => {
                if en {
                    "Internal note"
                } else {
                    "内部备注"
                }
            }
            EventKind::Reply => {
                if en {
                    "Reply to the shopper"
                } else {
                    "回复顾客"
                }
            }
            EventKind::FollowUp => {
                if en {
                    "The shopper wrote"
                } else {
                    "顾客留言"
                }
            }
            EventKind::Recovery => {
                if en {
                    "Recovery rating"
                } else {
                    "处理满意度"
                }
            }
        }
    }

    pub fn role(&self, role: hark_core::model::Role) -> &'static str {
        use hark_core::model::Role;
        let en = self.lang == "en";
        match role {
            Role::Owner => {
                if en {
                    "owner"
                } else {
                    "所有者"
                }
            }
            Role::Agent => {
                if en {
                    "agent"
                } else {
                    "客服"
                }
            }
            Role::Viewer => {
                if en {
                    "viewer"
                } else {
                    "查看者"
                }
            }
        }
    }

    /// The name of a rating, "4 – Satisfied".
    pub fn rating_name(&self, rating: i64) -> String {
        let index = (rating.clamp(1, 5) - 1) as usize;
        format!("{rating} – {}", self.shop_words.ratings[index])
    }
}

pub const EN: Words = Words {
    settings: "Settings",
    your_language: "Your language",
    language_browser: "Same as my browser",
    language_hint: "The admin's words, for you alone.",
    org_time_zone: "Organisation time zone",
    time_zone_hint: "Every date in the admin is shown in it, for everyone. For example:",
    owners_only: "Only owners can change this.",
    saved_reply_title: "Title",
    saved_reply_body: "Text",
    add_saved_reply: "Add a saved reply",
    saved_replies_hint: "Shown in every submission's reply box, for everyone in the organisation.",
    no_saved_replies: "No saved replies yet.",
    delete: "Delete",
    sign_in_title: "Sign in to",
    password: "Password",
    sign_in: "Sign in",
    wrong_credentials: "Wrong email or password.",
    busy: "Hark is busy checking other sign-ins. Try again in a moment.",
    throttled: "Too many failed sign-ins for this account or from this network. Wait a few minutes, then try again.",
    your_password: "Your password",
    current_password: "Current password",
    new_password: "New password",
    password_rules: "At least 12 characters, not one of the common passwords, not your email address. A few unrelated words make a good one.",
    wrong_current_password: "That is not your current password.",
    password_changed: "Password changed. Your other sessions have ended.",
    change_password: "Change password",
    sign_out_everywhere: "Sign out everywhere",
    sign_out_everywhere_hint: "Ends every session of yours, on every device, this one included.",
    people: "People",
    role_label: "Role",
    people_hint: "Everyone who works in this organisation's admin. Owners set up sites and people; agents triage; viewers read.",
    invite_person: "Invite someone",
    invite: "Invite",
    invite_link_hint: "Send them this link: it works once, for seven days.",
    open_invitations: "Open invitations",
    no_invitations: "No open invitations.",
    withdraw: "Withdraw",
    remove: "Remove",
    save_role: "Change role",
    joined: "joined",
    expires: "expires",
    owners_manage_people: "Only owners can see and change who works here.",
    invite_title: "Join your team on Hark",
    invite_intro: "You are invited to",
    choose_password: "Choose a password",
    join: "Join",
    invite_gone: "This invitation has been used, withdrawn or has expired. Ask whoever sent it for a new one.",
    invited_as: "as",
    api_tokens: "API tokens",
    api_tokens_hint: "For integrations: a token acts as you, with your role. Send it in this header:",
    token_name: "What it is for",
    token_name_rules: "Name it in 1 to 100 characters.",
    create_token: "Make a token",
    token_shown_once: "Copy it now: it is not shown again.",
    no_tokens: "No tokens yet.",
    revoke: "Revoke",
    never_used: "never used",
    made_on: "made",
    last_used: "last used",
    unreachable: "Could not reach Hark. Check your connection and try again.",
    lang: "en",
    setup: &SETUP_EN,
    insights: &INSIGHTS_EN,
    shop_words: &hark_core::words::EN,
    queue: "Queue",
    sign_out: "Sign out",
    loading: "Loading…",
    sign_in_again: "Sign in",
    views: "Views",
    view_all: "Everything",
    view_mine: "Mine",
    view_unassigned: "Unassigned complaints",
    view_due: "Due soon / overdue",
    view_low: "Low ratings (1–2)",
    view_spam: "Spam",
    filters: "Filters",
    search: "Search",
    search_hint: "Message, email, order or name",
    any: "Any",
    apply: "Apply",
    clear: "Clear",
    status: "Status",
    kind: "Kind",
    priority: "Priority",
    assignee: "Assignee",
    nobody: "Nobody",
    me: "Me",
    rating: "Rating",
    rating_up_to: "Rating up to",
    sort: "Order",
    newest: "Newest first",
    soonest_due: "Soonest due first",
    received: "Received",
    message: "Message",
    site: "Site",
    due: "Due",
    overdue: "Overdue",
    due_soon: "Due soon",
    next_page: "Next page",
    just_arrived: "just arrived",
    empty: "Nothing yet. Submissions from your sites appear here, newest first.",
    nothing_matches: "Nothing matches these filters.",
    caption: "Submissions",
    export: "Export CSV",
    back: "Back to the queue",
    from_shopper: "What the shopper sent",
    email: "Email",
    name: "Name",
    order: "Order",
    page: "Page",
    locale: "Language",
    category: "Category",
    stage: "Journey stage",
    customer: "Customer",
    verified_tier: "verified, tier",
    dimensions: "Service quality",
    dimension_names: ["Tangibles", "Reliability", "Responsiveness", "Assurance", "Empathy"],
    metadata: "Details from the shop",
    first_response_due: "First response due",
    resolution_due: "Resolution due",
    first_response_at: "First response",
    resolved_at: "Resolved",
    recovery: "Shopper's rating of the handling",
    triage: "Triage",
    tags: "Tags",
    tags_hint: "Comma-separated",
    save: "Save",
    saved: "Saved.",
    timeline: "Timeline",
    shopper: "Shopper",
    reply: "Reply to the shopper",
    reply_by_email: "Sent by email and shown on the shopper's tracking page.",
    reply_on_page: "Email is not set up: the reply is shown on the shopper's tracking page.",
    reply_no_email: "The shopper left no email: the reply is shown on their tracking page.",
    saved_replies: "Saved replies",
    insert: "Use",
    send_reply: "Send reply",
    send_and: "Then set status",
    keep_status: "Keep as it is",
    note: "Internal note",
    note_hint: "Only staff see notes.",
    add_note: "Add note",
    viewer_only: "You can read but not change anything (viewer).",
    not_found: "This submission does not exist, or is not your organisation's.",
    none: "—",
    keys_title: "Keyboard shortcuts",
    keys: [
        ("j / k", "Next / previous submission"),
        ("Enter", "Open it"),
        ("x", "Select it (for a change to many)"),
        ("a", "Assign to me"),
        ("e", "Resolve"),
        ("/", "Search"),
        ("?", "Show these keys"),
        ("Esc", "Close"),
    ],
    keys_hint: "Press ? for keyboard shortcuts",
    close: "Close",
    select: "Select",
    selected: "selected",
    bulk_resolve: "Resolve",
    bulk_open: "Reopen",
    bulk_assign_me: "Assign to me",
    bulk_spam: "Mark as spam",
};

pub const ZH_CN: Words = Words {
    settings: "设置",
    your_language: "你的语言",
    language_browser: "跟随浏览器",
    language_hint: "管理后台使用的语言，只对你生效。",
    org_time_zone: "组织时区",
    time_zone_hint: "管理后台的所有日期都按此时区显示，对所有人生效。例如：",
    owners_only: "只有所有者可以修改。",
    saved_reply_title: "标题",
    saved_reply_body: "内容",
    add_saved_reply: "添加常用回复",
    saved_replies_hint: "会出现在每条反馈的回复框中，组织内所有人可用。",
    no_saved_replies: "还没有常用回复。",
    delete: "删除",
    sign_in_title: "登录",
    password: "密码",
    sign_in: "登录",
    wrong_credentials: "邮箱或密码错误。",
    busy: "系统正忙于处理其他登录，请稍后再试。",
    throttled: "此账号或此网络的登录失败次数过多，请等几分钟后再试。",
    your_password: "你的密码",
    current_password: "当前密码",
    new_password: "新密码",
    password_rules: "至少 12 个字符，不能是常见密码，也不能是你的邮箱地址。几个互不相关的词连在一起就是好密码。",
    wrong_current_password: "当前密码不正确。",
    password_changed: "密码已更改，你的其他会话均已结束。",
    change_password: "更改密码",
    sign_out_everywhere: "在所有设备上退出",
    sign_out_everywhere_hint: "结束你在所有设备上的全部会话，包括当前这个。",
    people: "成员",
    role_label: "角色",
    people_hint: "在本组织后台工作的所有人。所有者设置站点和成员；客服处理反馈；查看者只能查看。",
    invite_person: "邀请成员",
    invite: "邀请",
    invite_link_hint: "把这个链接发给对方：只能使用一次，七天内有效。",
    open_invitations: "待接受的邀请",
    no_invitations: "没有待接受的邀请。",
    withdraw: "撤回",
    remove: "移除",
    save_role: "更改角色",
    joined: "加入于",
    expires: "到期",
    owners_manage_people: "只有所有者可以查看和更改成员。",
    invite_title: "加入你在 Hark 的团队",
    invite_intro: "你受邀加入",
    choose_password: "设置密码",
    join: "加入",
    invite_gone: "此邀请已被使用、撤回或已过期。请联系发送者重新邀请。",
    invited_as: "角色：",
    api_tokens: "接口令牌",
    api_tokens_hint: "供系统集成使用：令牌以你的身份和角色操作。请放在这个请求头中发送：",
    token_name: "用途",
    token_name_rules: "名称须为 1 到 100 个字符。",
    create_token: "生成令牌",
    token_shown_once: "请立即复制：此令牌不会再次显示。",
    no_tokens: "还没有令牌。",
    revoke: "吊销",
    never_used: "从未使用",
    made_on: "生成于",
    last_used: "最近使用",
    unreachable: "无法连接到服务器，请检查网络后重试。",
    lang: "zh-CN",
    setup: &SETUP_ZH_CN,
    insights: &INSIGHTS_ZH_CN,
    shop_words: &hark_core::words::ZH_CN,
    queue: "待处理",
    sign_out: "退出登录",
    loading: "加载中…",
    sign_in_again: "登录",
    views: "视图",
    view_all: "全部",
    view_mine: "我的",
    view_unassigned: "未分配的投诉",
    view_due: "即将到期 / 已超时",
    view_low: "低分评价（1–2）",
    view_spam: "垃圾信息",
    filters: "筛选",
    search: "搜索",
    search_hint: "留言、邮箱、订单号或姓名",
    any: "不限",
    apply: "应用",
    clear: "清除",
    status: "状态",
    kind: "类型",
    priority: "优先级",
    assignee: "负责人",
    nobody: "无人",
    me: "我",
    rating: "评分",
    rating_up_to: "评分不高于",
    sort: "排序",
    newest: "最新优先",
    soonest_due: "最先到期优先",
    received: "收到时间",
    message: "留言",
    site: "站点",
    due: "到期",
    overdue: "已超时",
    due_soon: "即将到期",
    next_page: "下一页",
    just_arrived: "条刚刚到达",
    empty: "还没有内容。来自您站点的反馈会按时间倒序显示在这里。",
    nothing_matches: "没有符合这些筛选条件的内容。",
    caption: "反馈列表",
    export: "导出表格",
    back: "返回列表",
    from_shopper: "顾客提交的内容",
    email: "邮箱",
    name: "姓名",
    order: "订单号",
    page: "页面",
    locale: "语言",
    category: "分类",
    stage: "购物阶段",
    customer: "客户",
    verified_tier: "已验证，等级",
    dimensions: "服务质量",
    dimension_names: ["有形性", "可靠性", "响应性", "保证性", "移情性"],
    metadata: "商家附加信息",
    first_response_due: "首次回复期限",
    resolution_due: "解决期限",
    first_response_at: "首次回复",
    resolved_at: "解决时间",
    recovery: "顾客对处理的评价",
    triage: "处理",
    tags: "标签",
    tags_hint: "用逗号分隔",
    save: "保存",
    saved: "已保存。",
    timeline: "时间线",
    shopper: "顾客",
    reply: "回复顾客",
    reply_by_email: "通过邮件发送，并显示在顾客的进度页面上。",
    reply_on_page: "未配置邮件：回复会显示在顾客的进度页面上。",
    reply_no_email: "顾客没有留下邮箱：回复会显示在其进度页面上。",
    saved_replies: "常用回复",
    insert: "使用",
    send_reply: "发送回复",
    send_and: "然后设为",
    keep_status: "保持不变",
    note: "内部备注",
    note_hint: "只有员工能看到备注。",
    add_note: "添加备注",
    viewer_only: "您只能查看，不能修改（查看者）。",
    not_found: "此反馈不存在，或不属于您的组织。",
    none: "—",
    keys_title: "键盘快捷键",
    keys: [
        ("j / k", "下一条 / 上一条"),
        ("Enter", "打开"),
        ("x", "选中（批量操作）"),
        ("a", "分配给我"),
        ("e", "标记为已解决"),
        ("/", "搜索"),
        ("?", "显示快捷键"),
        ("Esc", "关闭"),
    ],
    keys_hint: "按 ? 查看键盘快捷键",
    close: "关闭",
    select: "选择",
    selected: "已选",
    bulk_resolve: "标记为已解决",
    bulk_open: "重新打开",
    bulk_assign_me: "分配给我",
    bulk_spam: "标记为垃圾信息",
};

/// The words of the sites and audit pages.
pub struct SetupWords {
    pub owners_only: &'static str,
    pub sites: &'static str,
    pub sites_hint: &'static str,
    pub no_sites: &'static str,
    pub add_site: &'static str,
    pub site_name: &'static str,
    pub origins: &'static str,
    pub origins_hint: &'static str,
    pub add: &'static str,
    pub site_not_found: &'static str,
    pub settings_title: &'static str,
    pub save: &'static str,
    pub kinds: &'static str,
    pub categories: &'static str,
    pub categories_hint: &'static str,
    pub theme_color: &'static str,
    pub theme_hint: &'static str,
    pub preview: &'static str,
    pub require_email: &'static str,
    pub disabled: &'static str,
    pub disabled_hint: &'static str,
    pub is_disabled: &'static str,
    pub targets: &'static str,
    pub targets_hint: &'static str,
    pub first_response: &'static str,
    pub resolution: &'static str,
    pub key_first_response: &'static str,
    pub key_resolution: &'static str,
    pub minutes: &'static str,
    pub snippet: &'static str,
    pub snippet_hint: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub csp: &'static str,
    pub csp_hint: &'static str,
    pub installed: &'static str,
    pub seen_on: &'static str,
    pub not_seen: &'static str,
    pub refused_from: &'static str,
    pub add_it: &'static str,
    pub check_again: &'static str,
    pub try_demo: &'static str,
    pub secret: &'static str,
    pub secret_hint: &'static str,
    pub show_secret: &'static str,
    pub rotate: &'static str,
    pub grace: &'static str,
    pub grace_options: [(i64, &'static str); 4],
    pub previous_until: &'static str,
    pub audit: &'static str,
    pub audit_hint: &'static str,
    pub no_audit: &'static str,
    pub older: &'static str,
    pub when: &'static str,
    pub who: &'static str,
    pub what: &'static str,
    pub details: &'static str,
    pub from_where: &'static str,
    pub command_line: &'static str,
    /// Audit actions' names, by the action's code.
    pub actions: [(&'static str, &'static str); 12],
    pub just_now: &'static str,
    /// "{n} minutes ago", hours, days: the number goes before.
    pub ago: [&'static str; 3],
}

impl SetupWords {
    pub fn action(&self, code: &str) -> String {
        self.actions.iter().find(|(c, _)| *c == code).map_or_else(|| code.to_owned(), |(_, name)| (*name).to_owned())
    }
}

impl Words {
    /// How long ago, from minutes: "just now", "3 minutes ago", "2 hours ago", "5 days ago".
    pub fn ago(&self, minutes: i64) -> String {
        let setup = self.setup;
        match minutes {
            ..=0 => setup.just_now.to_owned(),
            1..=59 => format!("{minutes}{}", setup.ago[0]),
            60..=2879 => format!("{}{}", minutes / 60, setup.ago[1]),
            _ => format!("{}{}", minutes / 1440, setup.ago[2]),
        }
    }
}

pub const SETUP_EN: SetupWords = SetupWords {
    owners_only: "Only owners can see and change the sites and the audit log.",
    sites: "Sites",
    sites_hint: "Each shop (or each language's shop) that carries the widget. Its tag is on its page.",
    no_sites: "No sites yet. Add your shop below.",
    add_site: "Add a site",
    site_name: "Name",
    origins: "Shop origins",
    origins_hint: "Where the shop's pages are, one a line, such as https://shop.example (no path, no trailing slash). Add each host name shoppers use, https://www. too.",
    add: "Add site",
    site_not_found: "This site does not exist, or is not your organisation's.",
    settings_title: "Settings",
    save: "Save",
    kinds: "What shoppers can send",
    categories: "Topics",
    categories_hint: "One a line. The defaults show in the shopper's language; your own show as you write them.",
    theme_color: "Colour",
    theme_hint: "For the launcher and buttons. Leave empty for Hark's.",
    preview: "Preview",
    require_email: "A complaint needs an email address for the answer",
    disabled: "Disabled",
    disabled_hint: "The widget and the collector refuse this site; nothing is deleted.",
    is_disabled: "disabled",
    targets: "Response targets (minutes)",
    targets_hint: "How soon a first reply and a resolution are due; key customers' are tighter.",
    first_response: "First response",
    resolution: "Resolution",
    key_first_response: "Key customers: first response",
    key_resolution: "Key customers: resolution",
    minutes: "minutes",
    snippet: "The tag to paste",
    snippet_hint: "Paste it into every page of the shop, before </head>.",
    copy: "Copy",
    copied: "Copied.",
    csp: "If the shop sends a Content-Security-Policy",
    csp_hint: "Add these to it:",
    installed: "Is it installed?",
    seen_on: "Seen on",
    not_seen: "Not seen yet: paste the tag, then open your shop.",
    refused_from: "Refused from",
    add_it: "Add it",
    check_again: "Check again",
    try_demo: "Try it on the demo shop",
    secret: "Signing secret",
    secret_hint: "Your shop's server signs key customers' ids with it (HMAC-SHA256 of id|tier). Keep it on the server, never in a page.",
    show_secret: "Show the secret",
    rotate: "Replace the secret",
    grace: "The old secret keeps working for",
    grace_options: [(0, "no time: stop at once"), (60, "1 hour"), (1440, "1 day"), (10080, "7 days")],
    previous_until: "The previous secret works until",
    audit: "Audit log",
    audit_hint: "Every change to sites, people, invitations, tokens and roles, and every sign-in: who, when and from where.",
    no_audit: "Nothing yet.",
    older: "Older entries",
    when: "When",
    who: "Who",
    what: "What",
    details: "Details",
    from_where: "From",
    command_line: "command line",
    actions: [
        ("site.create", "added the site"),
        ("site.update", "changed the site"),
        ("site.secret", "replaced the signing secret of"),
        ("person.invite", "invited"),
        ("person.join", "joined as"),
        ("person.role", "changed the role of"),
        ("person.remove", "removed"),
        ("invitation.withdraw", "withdrew the invitation of"),
        ("token.create", "made the API token"),
        ("token.revoke", "revoked the API token"),
        ("password.change", "changed the password of"),
        ("sign_in", "signed in as"),
    ],
    just_now: "just now",
    ago: [" minutes ago", " hours ago", " days ago"],
};

pub const SETUP_ZH_CN: SetupWords = SetupWords {
    owners_only: "只有所有者可以查看和修改站点及审计日志。",
    sites: "站点",
    sites_hint: "每个装有小组件的商店（或每种语言的商店）。安装代码在各站点的页面上。",
    no_sites: "还没有站点。请在下方添加你的商店。",
    add_site: "添加站点",
    site_name: "名称",
    origins: "商店来源（origin）",
    origins_hint: "商店页面所在的地址，每行一个，例如 https://shop.example（不带路径，结尾不加斜杠）。顾客使用的每个域名都要添加，包括 https://www. 开头的。",
    add: "添加站点",
    site_not_found: "该站点不存在，或不属于你的组织。",
    settings_title: "设置",
    save: "保存",
    kinds: "顾客可以提交的内容",
    categories: "主题",
    categories_hint: "每行一个。默认主题按顾客的语言显示；你自己添加的按原样显示。",
    theme_color: "颜色",
    theme_hint: "用于启动按钮和按钮。留空则使用 Hark 的颜色。",
    preview: "预览",
    require_email: "投诉必须留下邮箱以便答复",
    disabled: "停用",
    disabled_hint: "小组件和收集接口将拒绝此站点；不会删除任何数据。",
    is_disabled: "已停用",
    targets: "响应时限（分钟）",
    targets_hint: "首次回复和解决的截止时间；重点客户的时限更短。",
    first_response: "首次回复",
    resolution: "解决",
    key_first_response: "重点客户：首次回复",
    key_resolution: "重点客户：解决",
    minutes: "分钟",
    snippet: "要粘贴的代码",
    snippet_hint: "粘贴到商店每个页面的 </head> 之前。",
    copy: "复制",
    copied: "已复制。",
    csp: "如果商店设置了内容安全策略（CSP）",
    csp_hint: "请在其中加入：",
    installed: "安装好了吗？",
    seen_on: "已在此处出现：",
    not_seen: "还没有出现：请粘贴代码，然后打开你的商店。",
    refused_from: "来自此处的请求被拒绝：",
    add_it: "添加",
    check_again: "再次检查",
    try_demo: "在演示商店中试用",
    secret: "签名密钥",
    secret_hint: "商店服务器用它为重点客户的 ID 签名（id|tier 的 HMAC-SHA256）。只保存在服务器上，切勿放进网页。",
    show_secret: "显示密钥",
    rotate: "更换密钥",
    grace: "旧密钥继续有效的时间",
    grace_options: [(0, "立即停用"), (60, "1 小时"), (1440, "1 天"), (10080, "7 天")],
    previous_until: "旧密钥的有效期至",
    audit: "审计日志",
    audit_hint: "站点、成员、邀请、令牌和角色的每次变更，以及每次登录：谁、何时、从哪里。",
    no_audit: "暂无记录。",
    older: "更早的记录",
    when: "时间",
    who: "操作人",
    what: "操作",
    details: "详情",
    from_where: "来源地址",
    command_line: "命令行",
    actions: [
        ("site.create", "添加了站点"),
        ("site.update", "修改了站点"),
        ("site.secret", "更换了签名密钥："),
        ("person.invite", "邀请了"),
        ("person.join", "加入，身份为"),
        ("person.role", "修改了角色："),
        ("person.remove", "移除了"),
        ("invitation.withdraw", "撤回了邀请："),
        ("token.create", "创建了接口令牌"),
        ("token.revoke", "吊销了接口令牌"),
        ("password.change", "修改了密码："),
        ("sign_in", "登录："),
    ],
    just_now: "刚刚",
    ago: [" 分钟前", " 小时前", " 天前"],
};

/// The insights page's words.
pub struct InsightWords {
    pub title: &'static str,
    pub hint: &'static str,
    pub site: &'static str,
    pub all_sites: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub interval: &'static str,
    pub day: &'static str,
    pub week: &'static str,
    pub show: &'static str,
    pub export: &'static str,
    pub previous: &'static str,
    pub csat: &'static str,
    pub csat_hint: &'static str,
    pub responses: &'static str,
    pub interval95: &'static str,
    pub average: &'static str,
    pub trend: &'static str,
    pub distribution: &'static str,
    pub by_stage: &'static str,
    pub by_category: &'static str,
    pub dimensions: &'static str,
    pub complaints: &'static str,
    pub complaint_rate: &'static str,
    pub resolution_rate: &'static str,
    pub pareto: &'static str,
    pub pareto_hint: &'static str,
    pub complaints_by_stage: &'static str,
    pub handling: &'static str,
    pub first_response: &'static str,
    pub resolution_time: &'static str,
    pub median: &'static str,
    pub p90: &'static str,
    pub minutes: &'static str,
    pub first_response_met: &'static str,
    pub resolution_met: &'static str,
    pub key_customers: &'static str,
    pub backlog: &'static str,
    pub age_under_1d: &'static str,
    pub age_1_3d: &'static str,
    pub age_3_7d: &'static str,
    pub age_over_7d: &'static str,
    pub agents: &'static str,
    pub person: &'static str,
    pub assigned: &'static str,
    pub resolved: &'static str,
    pub median_first: &'static str,
    pub hidden: &'static str,
    pub iceberg: &'static str,
    pub recovery: &'static str,
    /// The recovery tile's name.
    pub recovery_title: &'static str,
    pub phrases: &'static str,
    pub phrases_hint: &'static str,
    pub rising: &'static str,
    pub count: &'static str,
    pub marks: &'static str,
    pub marks_hint: &'static str,
    pub mark_title: &'static str,
    pub mark_day: &'static str,
    /// Header of the column that says whether the difference is more than chance.
    pub mark_verdict: &'static str,
    /// Header of the owner's column of actions on a mark.
    pub mark_actions: &'static str,
    pub mark_category: &'static str,
    pub mark_add: &'static str,
    pub mark_remove: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub significant: &'static str,
    pub not_significant: &'static str,
    pub days_each_side: &'static str,
    pub numbers: &'static str,
    pub none: &'static str,
    /// Said when no phrase grew against the period before.
    pub nothing_rising: &'static str,
    pub recounting: &'static str,
    pub pick_site: &'static str,
    pub submissions: &'static str,
    pub no_stage: &'static str,
}

pub const INSIGHTS_EN: InsightWords = InsightWords {
    title: "Insights",
    hint: "How satisfied shoppers are, what they complain of and how well the shop answers, over a period, against the period before.",
    site: "Site",
    all_sites: "All sites",
    from: "From",
    to: "Up to (not including)",
    interval: "Trend by",
    day: "Day",
    week: "Week",
    show: "Show",
    export: "Download CSV",
    previous: "period before",
    csat: "Satisfaction (CSAT)",
    csat_hint: "Share of ratings of 4 or 5, with its 95% interval: the fewer answers, the wider.",
    responses: "answers",
    interval95: "95% interval",
    average: "Average",
    trend: "Satisfaction over time",
    distribution: "Ratings",
    by_stage: "By journey stage",
    by_category: "By category",
    dimensions: "Service quality, weakest first",
    complaints: "Complaints",
    complaint_rate: "of all submissions",
    resolution_rate: "resolved",
    pareto: "Causes of complaints",
    pareto_hint: "Largest first; the running share shows which few causes make most complaints.",
    complaints_by_stage: "Complaints by journey stage",
    handling: "Handling",
    first_response: "First response",
    resolution_time: "Resolution",
    median: "median",
    p90: "9 in 10 within",
    minutes: "min",
    first_response_met: "First answers on time",
    resolution_met: "Resolved on time",
    key_customers: "key customers",
    backlog: "Open promises by age",
    age_under_1d: "under a day",
    age_1_3d: "1–3 days",
    age_3_7d: "3–7 days",
    age_over_7d: "over a week",
    agents: "Per person",
    person: "Person",
    assigned: "Assigned",
    resolved: "Resolved",
    median_first: "Median first response",
    hidden: "The hidden part",
    iceberg: "unhappy raters who never complained, per complaint",
    recovery: "of resolved complaints rated 4–5 by the shopper",
    recovery_title: "Recovery",
    phrases: "What unhappy shoppers say",
    phrases_hint: "Phrases of complaints and ratings of 1–2; each opens the queue on them.",
    rising: "Rising",
    count: "Count",
    marks: "Changes made (plan–do–check)",
    marks_hint: "Mark a change the shop made; the figures before and after it are compared.",
    mark_title: "What changed",
    mark_day: "From",
    mark_verdict: "Difference",
    mark_actions: "Actions",
    mark_category: "Category (optional)",
    mark_add: "Mark the change",
    mark_remove: "Remove",
    before: "Before",
    after: "After",
    significant: "More than chance (p < 0.05)",
    not_significant: "Could be chance",
    days_each_side: "days each side",
    numbers: "The numbers",
    none: "No answers in this period.",
    nothing_rising: "Nothing grew against the period before.",
    recounting: "The time zone changed: the figures are being counted again by its days. Until then they are complete, by the days of the zone they were counted in.",
    pick_site: "Choose a site to mark a change on it.",
    submissions: "Submissions",
    no_stage: "Not given",
};

pub const INSIGHTS_ZH_CN: InsightWords = InsightWords {
    title: "洞察",
    hint: "顾客有多满意、投诉什么、店铺回应得如何——按时段统计，并与上一时段比较。",
    site: "站点",
    all_sites: "全部站点",
    from: "开始",
    to: "截止（不含）",
    interval: "趋势按",
    day: "日",
    week: "周",
    show: "查看",
    export: "下载 CSV",
    previous: "上一时段",
    csat: "满意度（CSAT）",
    csat_hint: "评分为 4 或 5 的比例，以及 95% 置信区间：回答越少，区间越宽。",
    responses: "条回答",
    interval95: "95% 区间",
    average: "平均",
    trend: "满意度趋势",
    distribution: "评分分布",
    by_stage: "按购物阶段",
    by_category: "按类别",
    dimensions: "服务质量（由弱到强）",
    complaints: "投诉",
    complaint_rate: "占全部反馈",
    resolution_rate: "已解决",
    pareto: "投诉原因",
    pareto_hint: "由多到少；累计占比显示哪几个原因造成了大部分投诉。",
    complaints_by_stage: "各阶段的投诉",
    handling: "处理",
    first_response: "首次回复",
    resolution_time: "解决用时",
    median: "中位数",
    p90: "九成在",
    minutes: "分钟",
    first_response_met: "按时首次回复",
    resolution_met: "按时解决",
    key_customers: "重点客户",
    backlog: "未完成承诺（按时长）",
    age_under_1d: "不到 1 天",
    age_1_3d: "1–3 天",
    age_3_7d: "3–7 天",
    age_over_7d: "超过 1 周",
    agents: "按人员",
    person: "人员",
    assigned: "负责",
    resolved: "已解决",
    median_first: "首次回复中位数",
    hidden: "看不见的部分",
    iceberg: "每收到一条投诉，就有这么多不满意却没投诉的评分者",
    recovery: "已解决的投诉中，顾客对处理打 4–5 分的比例",
    recovery_title: "挽回率",
    phrases: "不满意的顾客在说什么",
    phrases_hint: "来自投诉和 1–2 分评价的词语；点击可在队列中查看。",
    rising: "上升",
    count: "数量",
    marks: "所做的改变（计划—执行—检查）",
    marks_hint: "标记店铺做出的改变，比较改变前后的数据。",
    mark_title: "改变了什么",
    mark_day: "起始日期",
    mark_verdict: "差异",
    mark_actions: "操作",
    mark_category: "类别（可选）",
    mark_add: "标记改变",
    mark_remove: "移除",
    before: "之前",
    after: "之后",
    significant: "不是偶然（p < 0.05）",
    not_significant: "可能是偶然",
    days_each_side: "天（前后各）",
    numbers: "数据",
    none: "此时段没有数据。",
    nothing_rising: "与上一时段相比，没有明显增多的词语。",
    recounting: "时区已更改，正在按新时区的日期重新统计。在此之前，数据依然完整，按原时区的日期显示。",
    pick_site: "请先选择一个站点再标记改变。",
    submissions: "反馈数",
    no_stage: "未注明",
};

pub fn words(lang: &str) -> &'static Words {
    match Language::from_locale(lang) {
        Language::En => &EN,
        Language::ZhCn => &ZH_CN,
    }
}
