//! Every word the shopper reads, in each language the widget speaks. To add one: a
//! `Strings` value translated in full, and its locale in `for_locale`.

pub struct Strings {
    /// The `lang` of the panel.
    pub lang: &'static str,
    /// From "very dissatisfied" (1) to "very satisfied" (5).
    pub rating_words: [&'static str; 5],
    pub title: &'static str,
    pub comment: &'static str,
    pub send: &'static str,
    pub close: &'static str,
    pub choose_rating: &'static str,
    pub cannot_send: &'static str,
    pub sending: &'static str,
    pub saved_status: &'static str,
    pub sent_status: &'static str,
    pub sent_title: &'static str,
    pub sent_note: &'static str,
    /// The link to the shopper's tracking page.
    pub track: &'static str,
    pub saved_title: &'static str,
    pub saved_note: &'static str,
    pub refused_invalid: &'static str,
    pub refused: &'static str,
}

pub const EN: Strings = Strings {
    lang: "en",
    rating_words: hark_core::model::RATING_WORDS,
    title: "How satisfied are you?",
    comment: "Anything to add? (optional)",
    send: "Send",
    close: "Close",
    choose_rating: "Choose a rating from 1 to 5.",
    cannot_send: "This browser cannot send feedback.",
    sending: "Sending…",
    saved_status: "Saved — we'll send it when you're back online.",
    sent_status: "Sent. Thank you!",
    sent_title: "Thank you!",
    sent_note: "Your feedback was sent to the shop.",
    track: "Follow it and read the shop's answer",
    saved_title: "Saved, not sent yet",
    saved_note: "It stays in this browser and goes to the shop when you're back online.",
    refused_invalid: "Some of what you entered was not accepted. Check it and send it again.",
    refused: "This feedback could not be accepted. Reload the page and try again.",
};

pub const ZH_CN: Strings = Strings {
    lang: "zh-CN",
    rating_words: ["非常不满意", "不满意", "一般", "满意", "非常满意"],
    title: "您对本次体验满意吗？",
    comment: "还有什么想告诉我们的吗？（选填）",
    send: "发送",
    close: "关闭",
    choose_rating: "请选择 1 到 5 的评分。",
    cannot_send: "此浏览器无法发送反馈。",
    sending: "正在发送…",
    saved_status: "已保存——恢复网络后我们会自动发送。",
    sent_status: "已发送，谢谢！",
    sent_title: "谢谢！",
    sent_note: "您的反馈已发送给商家。",
    track: "查看处理进度和商家回复",
    saved_title: "已保存，尚未发送",
    saved_note: "反馈保存在此浏览器中，恢复网络后会自动发送给商家。",
    refused_invalid: "部分内容未被接受，请检查后重新发送。",
    refused: "此反馈无法被接受，请刷新页面后重试。",
};

/// The strings for a BCP 47 locale (`data-locale`, else the browser's): Chinese for any
/// `zh`, English otherwise.
pub fn for_locale(locale: &str) -> &'static Strings {
    if locale.get(..2).is_some_and(|l| l.eq_ignore_ascii_case("zh")) {
        &ZH_CN
    } else {
        &EN
    }
}
