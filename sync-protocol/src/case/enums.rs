//! Closed vocabularies of the case. Stored in documents as their snake_case wire names; shown to
//! people through the PWA's zh-CN catalogue (the Chinese below is for readers of this code).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal,)* }) => {
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        $(#[$meta])*
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),* }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($wire => Ok($name::$variant),)*
                    _ => Err(format!("'{}' is not one of: {}", s.chars().take(40).collect::<String>(),
                        [$($wire),*].join(", "))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

wire_enum!(
    /// 矛盾纠纷类别.
    Category {
        Land = "land", // 土地
        Compensation = "compensation", // 补偿和后扶资金
        Housing = "housing", // 安置房
        Rights = "rights", // 山林水界权属
        Family = "family", // 婚姻家庭邻里
        Labour = "labour", // 劳资
        OnlineOpinion = "online_opinion", // 网络舆情
        GroupPetition = "group_petition", // 群体性上访倾向
        Extreme = "extreme", // 个人极端
        Other = "other", // 其他
    }
);

wire_enum!(
    /// 轻重缓急. Ordered: a later variant is more severe, which is what "raise" means.
    Severity {
        General = "general", // 一般
        Major = "major", // 较大
        Urgent = "urgent", // 紧急
    }
);

wire_enum!(
    /// 动态管理: where the case is in its life.
    #[cfg_attr(feature = "openapi", schema(as = CaseStatus))] // `Status` is a sync verdict's
    Status {
        Reported = "reported", // 已上报
        Acknowledged = "acknowledged", // 已知悉
        Handling = "handling", // 调处中
        Resolved = "resolved", // 已化解
        Closed = "closed", // 案结事了
        Escalated = "escalated", // 已上交
    }
);

wire_enum!(
    /// 跟踪记录类别.
    TimelineKind {
        Note = "note", // 备注
        Visit = "visit", // 走访
        Mediation = "mediation", // 调解
        Status = "status", // 状态变更
        Chase = "chase", // 催办 (county and city only)
    }
);

wire_enum!(
    /// 结案方式: how a closed case was settled. Recorded with the closing transition.
    Outcome {
        Mediated = "mediated", // 调解达成协议
        Handled = "handled", // 依法依规处理化解
        Unfounded = "unfounded", // 经核查不属实
        Referred = "referred", // 移交有关部门
    }
);
