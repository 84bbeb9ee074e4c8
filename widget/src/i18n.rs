//! Every word the shopper reads in the panel, in each language the widget speaks. To add
//! one: a `hark_core::words::Language`, and a `Strings` value here translated in full.

use hark_core::words::{Language, Words};

pub struct Strings {
    /// The ratings' and categories' names, shared with the hosted form; its `lang` is
    /// the panel's.
    pub words: &'static Words,
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

pub const EN: Strings = Strings {
    words: &hark_core::words::EN,
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

pub const ZH_CN: Strings = Strings {
    words: &hark_core::words::ZH_CN,
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

/// The strings for a BCP 47 locale (`data-locale`, else the browser's).
pub fn for_locale(locale: &str) -> &'static Strings {
    match Language::from_locale(locale) {
        Language::En => &EN,
        Language::ZhCn => &ZH_CN,
    }
}
