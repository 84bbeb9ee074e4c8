//! Every word a shopper reads, in each language Hark speaks: the widget's panel, the
//! hosted form (the same forms, rendered on the server), the tracking page and the reply
//! email. One table per language, used by all of them, in two parts: `Words`, the forms'
//! words, which the panel and the hosted form share, and `Pages`, the pages' own. To add
//! a language: a `Language`, and its `Words` and `Pages` translated in full.
/// The languages Hark speaks to shoppers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    En,
    ZhCn,
}

impl Language {
    /// The language for a BCP 47 locale (`data-locale`, the browser's, an
    /// `Accept-Language` entry): Chinese for any `zh`, English otherwise.
    pub fn from_locale(locale: &str) -> Language {
        if locale.trim().get(..2).is_some_and(|l| l.eq_ignore_ascii_case("zh")) {
            Language::ZhCn
        } else {
            Language::En
        }
    }

    /// Its BCP 47 tag, for `lang` attributes and the submission's `locale`.
    pub fn tag(self) -> &'static str {
        self.words().lang
    }

    pub fn words(self) -> &'static Words {
        match self {
            Language::En => &EN,
            Language::ZhCn => &ZH_CN,
        }
    }

    pub fn pages(self) -> &'static Pages {
        match self {
            Language::En => &EN_PAGES,
            Language::ZhCn => &ZH_CN_PAGES,
        }
    }

    /// What to fix in `field`, said in this language (`message` is the collector's
    /// English).
    pub fn problem(self, field: &str, message: &str) -> String {
        if self == Language::En {
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

/// The languages a person can choose for the admin.
pub const ADMIN_LOCALES: [&str; 2] = ["en", "zh-CN"];

pub struct Words {
    pub lang: &'static str,
    /// The ratings 1 to 5, from "very dissatisfied" to "very satisfied", always shown
    /// with their number ("4 – Satisfied") so that no one has to read a colour or a face.
    pub ratings: [&'static str; 5],
    /// Names of the default categories (`model::DEFAULT_CATEGORIES`, then those of
    /// earlier versions that sites may still have); a site's own categories are shown as
    /// the merchant wrote them.
    pub categories: &'static [(&'static str, &'static str)],

    // Choosing what to send.
    pub close: &'static str,
    /// The group of the three kinds, and each kind's name (csat, feedback, complaint).
    pub kinds_label: &'static str,
    pub kinds: [&'static str; 3],

    // The rating.
    pub title: &'static str,
    pub comment: &'static str,
    /// Offered after a rating of 1 or 2, with the button that turns it into a complaint.
    pub unhappy: &'static str,
    pub to_complaint: &'static str,

    // The feedback card.
    pub feedback_title: &'static str,
    pub topic: &'static str,
    /// The empty first choice of an optional list.
    pub choose: &'static str,
    pub stage: &'static str,
    /// Before, while and after buying.
    pub stages: [&'static str; 3],
    pub your_feedback: &'static str,
    pub dimensions_title: &'static str,
    /// Tangibles, reliability, responsiveness, assurance and empathy, in plain words.
    pub dimensions: [&'static str; 5],
    /// From "very poor" (1) to "excellent" (5).
    pub dimension_words: [&'static str; 5],

    // The complaint.
    pub complaint_title: &'static str,
    pub order_ref: &'static str,
    pub what_happened: &'static str,
    pub email_optional: &'static str,
    pub email_required: &'static str,
    pub consent: &'static str,

    pub send: &'static str,
    /// The hidden field only robots fill in.
    pub honeypot: &'static str,

    // What went wrong before sending.
    pub choose_rating: &'static str,
    pub need_message: &'static str,
    pub need_email: &'static str,
    pub bad_email: &'static str,
    pub cannot_send: &'static str,

    // Delivery.
    pub sending: &'static str,
    pub saved_status: &'static str,
    pub sent_status: &'static str,
    pub sent_title: &'static str,
    pub sent_note: &'static str,
    pub complaint_sent_title: &'static str,
    pub complaint_sent_note: &'static str,
    /// The link to the shopper's tracking page.
    pub track: &'static str,
    pub saved_title: &'static str,
    pub saved_note: &'static str,
    pub refused_invalid: &'static str,
    pub refused: &'static str,
}

/// The words of the pages around the forms, which only the server draws: the hosted
/// form's own page, the tracking page and the reply email. Apart from `Words`, so that
/// the panel's download carries the forms' words only (1.3 KB gzip less).
pub struct Pages {
    // The hosted form's own page.
    /// "Feedback for {}", the shop's name in the hole.
    pub shop_title: (&'static str, &'static str),
    pub please_check: &'static str,
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

impl Words {
    /// What the shopper reads for the site's category `slug`.
    pub fn category<'a>(&self, slug: &'a str) -> &'a str {
        self.categories.iter().find(|(s, _)| *s == slug).map_or(slug, |(_, name)| name)
    }
}

impl Pages {
    /// "Feedback for {shop}".
    pub fn shop_title(&self, shop: &str) -> String {
        format!("{}{shop}{}", self.shop_title.0, self.shop_title.1)
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
}

pub const EN: Words = Words {
    lang: "en",
    ratings: ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"],
    categories: &[
        ("delivery_delay", "Late delivery"),
        ("price_change", "Price change"),
        ("product_quality", "Product quality"),
        ("installation", "Installation or setup"),
        ("billing", "Payment or billing"),
        ("missing_information", "Missing information"),
        ("staff_attitude", "Staff attitude"),
        ("other", "Something else"),
        ("damaged_item", "Damaged item"),
        ("wrong_item", "Wrong item"),
        ("customer_service", "Customer service"),
        ("website", "The website"),
    ],
    close: "Close",
    kinds_label: "What would you like to do?",
    kinds: ["Rate us", "Feedback", "Complaint"],
    title: "How satisfied are you?",
    comment: "Anything to add? (optional)",
    unhappy: "Sorry it went wrong. Should the shop put it right?",
    to_complaint: "Make it a complaint",
    feedback_title: "Share your feedback",
    topic: "Topic",
    choose: "Choose (optional)",
    stage: "When was it?",
    stages: ["Before buying", "While buying", "After buying"],
    your_feedback: "Your feedback",
    dimensions_title: "Rate five aspects (optional)",
    dimensions: [
        "How the shop, products and packaging look",
        "Doing what was promised, right first time",
        "Quick and willing help",
        "Knowledge and trustworthiness",
        "Personal care and attention",
    ],
    dimension_words: ["Very poor", "Poor", "Fair", "Good", "Excellent"],
    complaint_title: "Make a complaint",
    order_ref: "Order number (optional)",
    what_happened: "What happened?",
    email_optional: "Email for the answer (optional)",
    email_required: "Email for the answer",
    consent: "Your email is used only to answer this complaint.",
    send: "Send",
    honeypot: "Leave this empty",
    choose_rating: "Choose a rating from 1 to 5.",
    need_message: "Tell us what happened.",
    need_email: "Enter your email so the shop can answer you.",
    bad_email: "Check the email address: it should look like name@example.com.",
    cannot_send: "This browser cannot send feedback.",
    sending: "Sending…",
    saved_status: "Saved — we'll send it when you're back online.",
    sent_status: "Sent. Thank you!",
    sent_title: "Thank you!",
    sent_note: "Your feedback was sent to the shop.",
    complaint_sent_title: "Complaint received",
    complaint_sent_note: "The shop will look into it and answer you on your tracking page.",
    track: "Follow it and read the shop's answer",
    saved_title: "Saved, not sent yet",
    saved_note: "It stays in this browser and goes to the shop when you're back online.",
    refused_invalid: "Some of what you entered was not accepted. Check it and send it again.",
    refused: "This feedback could not be accepted. Reload the page and try again.",
};

pub const EN_PAGES: Pages = Pages {
    shop_title: ("Feedback for ", ""),
    please_check: "Please check:",
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

pub const ZH_CN: Words = Words {
    lang: "zh-CN",
    ratings: ["非常不满意", "不满意", "一般", "满意", "非常满意"],
    categories: &[
        ("delivery_delay", "配送延迟"),
        ("price_change", "价格变动"),
        ("product_quality", "商品质量"),
        ("installation", "安装或设置"),
        ("billing", "支付或账单"),
        ("missing_information", "信息缺失"),
        ("staff_attitude", "服务态度"),
        ("other", "其他"),
        ("damaged_item", "商品损坏"),
        ("wrong_item", "发错商品"),
        ("customer_service", "客户服务"),
        ("website", "网站问题"),
    ],
    close: "关闭",
    kinds_label: "您想做什么？",
    kinds: ["评分", "意见建议", "投诉"],
    title: "您对本次体验满意吗？",
    comment: "还有什么想告诉我们的吗？（选填）",
    unhappy: "很抱歉给您带来不好的体验。需要商家为您处理吗？",
    to_complaint: "转为投诉",
    feedback_title: "分享您的意见",
    topic: "主题",
    choose: "请选择（选填）",
    stage: "发生在什么时候？",
    stages: ["购买前", "购买中", "购买后"],
    your_feedback: "您的意见",
    dimensions_title: "为五个方面评分（选填）",
    dimensions: ["店铺、商品和包装的外观", "说到做到，一次做好", "响应及时，乐于帮助", "专业可信", "贴心周到"],
    dimension_words: ["很差", "差", "一般", "好", "很好"],
    complaint_title: "提交投诉",
    order_ref: "订单号（选填）",
    what_happened: "发生了什么？",
    email_optional: "接收回复的邮箱（选填）",
    email_required: "接收回复的邮箱",
    consent: "您的邮箱仅用于回复此投诉。",
    send: "发送",
    honeypot: "请勿填写",
    choose_rating: "请选择 1 到 5 的评分。",
    need_message: "请描述发生了什么。",
    need_email: "请填写邮箱，以便商家回复您。",
    bad_email: "请检查邮箱地址是否正确。",
    cannot_send: "此浏览器无法发送反馈。",
    sending: "正在发送…",
    saved_status: "已保存——恢复网络后我们会自动发送。",
    sent_status: "已发送，谢谢！",
    sent_title: "谢谢！",
    sent_note: "您的反馈已发送给商家。",
    complaint_sent_title: "投诉已收到",
    complaint_sent_note: "商家会尽快处理，并在进度页面回复您。",
    track: "查看处理进度和商家回复",
    saved_title: "已保存，尚未发送",
    saved_note: "反馈保存在此浏览器中，恢复网络后会自动发送给商家。",
    refused_invalid: "部分内容未被接受，请检查后重新发送。",
    refused: "此反馈无法被接受，请刷新页面后重试。",
};

pub const ZH_CN_PAGES: Pages = Pages {
    shop_title: ("", " 意见反馈"),
    please_check: "请检查：",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_category_has_a_name_in_each_language() {
        for words in [&EN, &ZH_CN] {
            for slug in crate::model::DEFAULT_CATEGORIES {
                assert_ne!(words.category(slug), *slug, "{} lacks {slug}", words.lang);
            }
        }
    }

    #[test]
    fn a_locale_picks_its_language() {
        assert_eq!(Language::from_locale("zh-CN"), Language::ZhCn);
        assert_eq!(Language::from_locale("ZH-tw"), Language::ZhCn);
        assert_eq!(Language::from_locale("en-GB"), Language::En);
        assert_eq!(Language::from_locale("z"), Language::En);
        assert_eq!(Language::from_locale(""), Language::En);
    }
}
