//! The words of the report: Chinese labels of the case vocabularies (as the PWA's zh-CN
//! catalogue shows them, so a spreadsheet and a phone say the same thing) and the summary
//! sentence in the style of the source article ("下访12个移民村，排查各类矛盾纠纷8件，…").

use super::report::Figures;

pub fn category_label(c: &str) -> &str {
    match c {
        "land" => "土地",
        "compensation" => "补偿和后扶资金",
        "housing" => "安置房",
        "rights" => "山林水界权属",
        "family" => "婚姻家庭邻里",
        "labour" => "劳资",
        "online_opinion" => "网络舆情",
        "group_petition" => "群体性上访倾向",
        "extreme" => "个人极端",
        "other" => "其他",
        unknown => unknown,
    }
}

pub fn severity_label(s: &str) -> &str {
    match s {
        "general" => "一般",
        "major" => "较大",
        "urgent" => "紧急",
        unknown => unknown,
    }
}

pub fn status_label(s: &str) -> &str {
    match s {
        "reported" => "已上报",
        "acknowledged" => "已受理",
        "handling" => "化解中",
        "resolved" => "已化解",
        "closed" => "已结案",
        "escalated" => "已上交",
        unknown => unknown,
    }
}

/// Resolved as a percentage of found, to one decimal; `None` when nothing was found. It can
/// pass 100% when older cases were resolved in the period, as the sentence's two counts show.
pub fn rate(resolved: u64, found: u64) -> Option<f64> {
    (found > 0).then(|| (resolved as f64 * 1000.0 / found as f64).round() / 10.0)
}

/// 60.0 → "60%", 66.7 → "66.7%".
pub fn percent(rate: f64) -> String {
    if rate.fract() == 0.0 { format!("{rate:.0}%") } else { format!("{rate:.1}%") }
}

/// "本月，曹远镇走访2个村，排查矛盾纠纷5件，化解3件，化解率60%；当前逾期1件，收到排查报告4份。"
/// The clauses after the semicolon appear only when they are not zero.
pub fn sentence(period_label: &str, unit_name: &str, f: &Figures) -> String {
    let mut s = format!(
        "{period_label}，{unit_name}走访{}个村，排查矛盾纠纷{}件，化解{}件",
        f.villages_visited, f.found, f.resolved
    );
    if let Some(r) = f.resolution_rate {
        s.push_str(&format!("，化解率{}", percent(r)));
    }
    let mut extra = Vec::new();
    if f.overdue > 0 {
        extra.push(format!("当前逾期{}件", f.overdue));
    }
    if f.sweep_reports > 0 {
        extra.push(format!("收到排查报告{}份", f.sweep_reports));
    }
    if !extra.is_empty() {
        s.push('；');
        s.push_str(&extra.join("，"));
    }
    s.push('。');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(found: u64, resolved: u64, overdue: u64, villages: u64, reports: u64) -> Figures {
        Figures {
            found,
            resolved,
            resolution_rate: rate(resolved, found),
            overdue,
            visits: villages,
            villages_visited: villages,
            sweep_reports: reports,
        }
    }

    #[test]
    fn the_sentence_reads_like_the_article() {
        assert_eq!(
            sentence("本月", "曹远镇", &figures(5, 3, 0, 2, 0)),
            "本月，曹远镇走访2个村，排查矛盾纠纷5件，化解3件，化解率60%。"
        );
        assert_eq!(
            sentence("2026年10月", "永安市", &figures(3, 2, 1, 0, 4)),
            "2026年10月，永安市走访0个村，排查矛盾纠纷3件，化解2件，化解率66.7%；当前逾期1件，收到排查报告4份。"
        );
        assert_eq!(
            sentence("本月", "曹远镇", &figures(0, 1, 0, 0, 0)),
            "本月，曹远镇走访0个村，排查矛盾纠纷0件，化解1件。"
        );
    }

    #[test]
    fn labels_fall_back_to_the_wire_name() {
        assert_eq!(category_label("online_opinion"), "网络舆情");
        assert_eq!(severity_label("urgent"), "紧急");
        assert_eq!(status_label("closed"), "已结案");
        assert_eq!(status_label("reopened"), "reopened");
    }
}
