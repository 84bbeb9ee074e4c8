//! Words a shopper reads both in the widget and on Hark's own pages (the hosted form),
//! in each language Hark speaks. To add a language: a `Language`, a `Words` translated in
//! full, and the widget's and the hosted form's own tables.

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
}

impl Words {
    /// What the shopper reads for the site's category `slug`.
    pub fn category<'a>(&self, slug: &'a str) -> &'a str {
        self.categories.iter().find(|(s, _)| *s == slug).map_or(slug, |(_, name)| name)
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
