//! Every string on screen comes from `ui/locales/*.ftl` (Fluent), in
//! Japanese and English; the language can be switched at any time.

use std::rc::Rc;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// A language the UI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// 日本語.
    Ja,
    /// English.
    En,
}

impl Lang {
    /// Both, in the order the switcher shows them.
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// Its BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// Its name in itself.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ja => "日本語",
            Lang::En => "English",
        }
    }

    /// From a tag ("ja-JP" counts as Japanese); `None` for others.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::Ja => include_str!("../locales/ja.ftl"),
            Lang::En => include_str!("../locales/en.ftl"),
        }
    }
}

/// One language's messages.
pub struct I18n {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n").field("lang", &self.lang).finish()
    }
}

impl PartialEq for I18n {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
    }
}

impl I18n {
    /// Load a language's messages (they ship inside the binary).
    pub fn new(lang: Lang) -> Rc<I18n> {
        let id: LanguageIdentifier = lang.tag().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new(vec![id]);
        // No bidi isolation marks: they would show as stray characters in
        // plain-text contexts (titles, aria labels).
        bundle.set_use_isolating(false);
        // A syntax error in a shipped file is a bug the tests catch
        // (`every_message_parses`); keep whatever parsed.
        let resource = match FluentResource::try_new(lang.source().to_string()) {
            Ok(r) => r,
            Err((r, _)) => r,
        };
        let _ = bundle.add_resource(resource);
        Rc::new(I18n { lang, bundle })
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// A message without arguments. A missing message shows its id, so
    /// it is noticed rather than blank.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// A message with arguments.
    pub fn tf(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        self.format(id, Some(&fa))
    }

    /// A message with one number argument `n`.
    pub fn tn(&self, id: &str, n: u64) -> String {
        self.tf(id, &[("n", FluentValue::from(n))])
    }

    /// Whether the message exists.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_string();
        };
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(source: &str) -> Vec<String> {
        source
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_string()))
            .collect()
    }

    #[test]
    fn every_message_parses() {
        for lang in Lang::ALL {
            if let Err((_, errors)) = FluentResource::try_new(lang.source().to_string()) {
                panic!("{lang:?}: {errors:?}");
            }
        }
    }

    #[test]
    fn both_languages_have_the_same_messages() {
        let mut ja = ids(Lang::Ja.source());
        let mut en = ids(Lang::En.source());
        ja.sort();
        en.sort();
        let only_ja: Vec<_> = ja.iter().filter(|i| !en.contains(i)).collect();
        let only_en: Vec<_> = en.iter().filter(|i| !ja.contains(i)).collect();
        assert!(
            only_ja.is_empty() && only_en.is_empty(),
            "only in ja: {only_ja:?}; only in en: {only_en:?}"
        );
        assert!(en.len() > 100, "{} messages", en.len());
    }

    #[test]
    fn every_message_the_code_asks_for_exists() {
        // Calls look like t("id"), tf("id", tn("id", and msg_id("...").
        let sources = [
            include_str!("app.rs"),
            include_str!("views/mod.rs"),
            include_str!("views/welcome.rs"),
            include_str!("views/space.rs"),
            include_str!("views/project.rs"),
            include_str!("views/idea.rs"),
            include_str!("views/insight.rs"),
            include_str!("views/decide.rs"),
            include_str!("views/sync.rs"),
            include_str!("views/settings.rs"),
        ];
        let en = I18n::new(Lang::En);
        let ja = I18n::new(Lang::Ja);
        let mut missing = Vec::new();
        let mut asked = 0;
        for src in sources {
            for call in ["t(\"", "tf(\"", "tn(\""] {
                // The call itself, not a longer name ending the same way
                // (split(", get(", debug_struct(").
                let calls = src.match_indices(call).filter(|(at, _)| {
                    !src[..*at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                for (at, _) in calls {
                    let part = &src[at + call.len()..];
                    let id = part.split('"').next().unwrap_or("");
                    if id.is_empty() || id.contains(' ') {
                        continue;
                    }
                    asked += 1;
                    if !en.has(id) || !ja.has(id) {
                        missing.push(id.to_string());
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(asked > 200, "the scan found only {asked} calls");
        assert!(missing.is_empty(), "missing messages: {missing:?}");
    }

    #[test]
    fn arguments_are_filled_in_both_languages() {
        let en = I18n::new(Lang::En);
        let ja = I18n::new(Lang::Ja);
        assert_eq!(en.tn("ideas-count", 1), "1 idea");
        assert_eq!(en.tn("ideas-count", 3), "3 ideas");
        assert_eq!(ja.tn("ideas-count", 3), "アイデア 3件");
        assert_eq!(Lang::from_tag("ja-JP"), Some(Lang::Ja));
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
