//! Every word of the pages Hark shows shoppers itself (the plain form, the tracking page),
//! in each language Hark speaks. The widget's panel has its own table; the ratings' and
//! categories' names are shared by both (`hark_core::words`).

use hark_core::store::Site;
use hark_core::words::{Language, Words};

pub struct Text {
    pub words: &'static Words,

    // The plain form.
    /// "Feedback for {}", the shop's name in the hole.
    pub title: (&'static str, &'static str),
    pub what_to_do: &'static str,
    /// Rate, give feedback, complain.
    pub kinds: [&'static str; 3],
    pub how_satisfied: &'static str,
    pub topic: &'static str,
    pub message: &'static str,
    pub email: &'static str,
    pub email_required: &'static str,
    pub email_optional: &'static str,
    pub order_ref: &'static str,
    pub honeypot: &'static str,
    pub send: &'static str,
    pub please_check: &'static str,
    pub thanks: &'static str,
    /// "Your message was sent to {}."
    pub sent_to: (&'static str, &'static str),
    pub follow: &'static str,
    pub conflict: &'static str,
    pub not_found: &'static str,
    pub not_allowed: &'static str,

    // The tracking page.
    pub track_title: &'static str,
    /// Thanks for a rating, a feedback card, a complaint.
    pub thanks_for: [&'static str; 3],
    pub received: &'static str,
    pub status: &'static str,
    /// new, open, pending, resolved (spam reads as new: the page never calls a shopper a
    /// spammer).
    pub statuses: [&'static str; 4],
    /// Ends a sentence.
    pub stop: &'static str,
    pub replies: &'static str,
    pub track_not_found: &'static str,
    pub conversation: &'static str,
    pub you: &'static str,
    pub answer: &'static str,
    /// The answer box's label when answering opens the complaint again.
    pub answer_reopens: &'static str,
    pub track_sent: &'static str,
    pub track_rated: &'static str,
    pub track_empty: &'static str,
    pub track_too_long: &'static str,
    pub track_pick_rating: &'static str,
    pub track_conflict: &'static str,
    pub recovery_question: &'static str,
    pub recovery_comment: &'static str,
    pub recovery_send: &'static str,
    /// Before "4 / 5".
    pub recovery_given: &'static str,
    /// "just now", then minutes, hours and days: (one, many with {} for the number).
    pub just_now: &'static str,
    pub minutes_ago: (&'static str, &'static str),
    pub hours_ago: (&'static str, &'static str),
    pub days_ago: (&'static str, &'static str),
    /// A reply's email: its subject before the shop's name, and the line before the link.
    pub mail_subject: &'static str,
    pub mail_follow: &'static str,
}

pub const EN: Text = Text {
    words: &hark_core::words::EN,
    title: ("Feedback for ", ""),
    what_to_do: "What would you like to do?",
    kinds: ["Rate your experience", "Give feedback", "Make a complaint"],
    how_satisfied: "How satisfied are you?",
    topic: "Topic",
    message: "Your message",
    email: "Email for the answer",
    email_required: "(needed for a complaint, so the shop can answer)",
    email_optional: "(optional)",
    order_ref: "Order number (optional)",
    honeypot: "Leave this empty",
    send: "Send",
    please_check: "Please check:",
    thanks: "Thank you!",
    sent_to: ("Your message was sent to ", "."),
    follow: "Follow it and read the shop's answer here:",
    conflict: "This form was already sent with other content. Please start again.",
    not_found: "This feedback form does not exist.",
    not_allowed: "This form can only be sent from its own page.",
    track_title: "Your feedback",
    thanks_for: ["Thank you for your rating", "Thank you for your feedback", "Thank you for your complaint"],
    received: "Received ",
    status: "Status: ",
    statuses: ["new", "open", "pending", "resolved"],
    stop: ". ",
    replies: "Replies from the shop will appear here.",
    track_not_found: "This tracking link is not known.",
    conversation: "Conversation",
    you: "You",
    answer: "Write to the shop",
    answer_reopens: "Not sorted yet? Write to the shop and it is opened again",
    track_sent: "Your message was sent to the shop.",
    track_rated: "Thank you for rating how this was handled.",
    track_empty: "Please write a message first.",
    track_too_long: "That is too long: at most 5,000 characters.",
    track_pick_rating: "Please pick a rating from 1 to 5.",
    track_conflict: "This can be rated once it is resolved, and only once.",
    recovery_question: "Are you satisfied with how this was handled?",
    recovery_comment: "Anything to add? (optional)",
    recovery_send: "Send rating",
    recovery_given: "You rated how this was handled: ",
    just_now: "just now",
    minutes_ago: ("1 minute ago", "{} minutes ago"),
    hours_ago: ("1 hour ago", "{} hours ago"),
    days_ago: ("1 day ago", "{} days ago"),
    mail_subject: "An answer to your feedback from ",
    mail_follow: "Read the whole conversation, answer back or tell us how we did:",
};

pub const ZH_CN: Text = Text {
    words: &hark_core::words::ZH_CN,
    title: ("", " 意见反馈"),
    what_to_do: "您想做什么？",
    kinds: ["评价本次体验", "提出意见建议", "提交投诉"],
    how_satisfied: "您对本次体验满意吗？",
    topic: "主题",
    message: "您的留言",
    email: "接收回复的邮箱",
    email_required: "（投诉必填，以便商家回复您）",
    email_optional: "（选填）",
    order_ref: "订单号（选填）",
    honeypot: "请勿填写",
    send: "发送",
    please_check: "请检查：",
    thanks: "谢谢！",
    sent_to: ("您的留言已发送给 ", "。"),
    follow: "在这里查看处理进度和商家回复：",
    conflict: "此表单已用其他内容发送过，请重新填写。",
    not_found: "此反馈表单不存在。",
    not_allowed: "此表单只能从它自己的页面发送。",
    track_title: "您的反馈",
    thanks_for: ["感谢您的评分", "感谢您的意见", "感谢您的投诉"],
    received: "收到时间：",
    status: "状态：",
    statuses: ["已收到", "处理中", "等待回复", "已解决"],
    stop: "。",
    replies: "商家的回复会显示在这里。",
    track_not_found: "此进度链接不存在。",
    conversation: "沟通记录",
    you: "您",
    answer: "给商家留言",
    answer_reopens: "问题还没解决？给商家留言，投诉会重新打开",
    track_sent: "您的留言已发送给商家。",
    track_rated: "感谢您对处理结果的评价。",
    track_empty: "请先填写留言。",
    track_too_long: "内容太长：最多 5000 字。",
    track_pick_rating: "请选择 1 到 5 的评分。",
    track_conflict: "问题解决后才能评价，且只能评价一次。",
    recovery_question: "您对这次的处理满意吗？",
    recovery_comment: "还有什么想说的吗？（选填）",
    recovery_send: "提交评价",
    recovery_given: "您对处理结果的评价：",
    just_now: "刚刚",
    minutes_ago: ("1 分钟前", "{} 分钟前"),
    hours_ago: ("1 小时前", "{} 小时前"),
    days_ago: ("1 天前", "{} 天前"),
    mail_subject: "您的反馈有了回复：",
    mail_follow: "查看完整沟通记录、继续留言或评价处理结果：",
};

impl Text {
    pub fn of(language: Language) -> &'static Text {
        match language {
            Language::En => &EN,
            Language::ZhCn => &ZH_CN,
        }
    }

    pub fn title(&self, site: &Site) -> String {
        format!("{}{}{}", self.title.0, site.name, self.title.1)
    }

    /// How long ago `millis` was, in words.
    pub fn ago(&self, millis: i64) -> String {
        let minutes = millis.max(0) / 60_000;
        let (unit, n) = match minutes {
            0 => return self.just_now.to_owned(),
            1..=59 => (self.minutes_ago, minutes),
            60..=1439 => (self.hours_ago, minutes / 60),
            _ => (self.days_ago, minutes / 1440),
        };
        if n == 1 {
            unit.0.to_owned()
        } else {
            unit.1.replace("{}", &n.to_string())
        }
    }

    /// What to fix in `field`, said in this language.
    pub fn problem(&self, field: &str, message: &str) -> String {
        if self.words.lang == "en" {
            return format!("{field}: {message}");
        }
        match field {
            "message" => "请填写留言（投诉必填），最多 5000 字。",
            "email" => "请检查邮箱地址（此商家的投诉需要邮箱）。",
            "rating" => "请选择 1 到 5 的评分。",
            "category" => "请从列表中选择主题。",
            "order_ref" => "订单号最多 64 个字符。",
            "kind" => "请选择您想做什么。",
            _ => "部分内容未被接受，请检查后重新发送。",
        }
        .to_owned()
    }
}
