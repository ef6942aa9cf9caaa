// ReportStrings.swift — the report's words, from Resources/locale/en.toml and zh.toml.
//
// The report uses the `[report]` keys, plus the game's `sector.*`, `tools.*` and `charts.*`
// names so that a chart says "Coal plant" exactly as the toolbar does. Keys are "section.key";
// a key missing from the chosen language falls back to English, then to the key itself.
import CitySim
import TOML

/// One language's file, `Resources/locale/CODE.toml`, as "section.key" → text (the game's
/// strings read the same files through this).
public enum LocaleFile {
    public static func read(_ code: String) -> [String: String] {
        let path = ResourceLocator.path("locale/\(code).toml")
        guard let bytes = FileSystem.read(path), let document = try? TOML.parse(bytes: bytes, file: path) else { return [:] }
        var result: [String: String] = [:]
        for (section, node) in document.entries {
            guard case .table(let table) = node.value else { continue }
            for (key, value) in table.entries { if let text = value.value.stringValue { result[section + "." + key] = text } }
        }
        return result
    }
}

public enum ReportLanguage: String, CaseIterable, Sendable {
    case en, zh
}

public struct ReportStrings: Sendable {
    public let language: ReportLanguage
    private let table: [String: String]
    private let english: [String: String]

    public init(language: ReportLanguage) {
        self.language = language
        english = ReportStrings.read(.en)
        table = language == .en ? english : ReportStrings.read(language)
    }

    static func read(_ language: ReportLanguage) -> [String: String] { LocaleFile.read(language.rawValue) }

    public subscript(_ key: String) -> String { table[key] ?? english[key] ?? key }

    /// `key`'s text with each `{name}` replaced.
    public func format(_ key: String, _ values: [String: String]) -> String {
        var text = self[key]
        for name in values.keys.sorted() { text = text.replacingOccurrences(of: "{\(name)}", with: values[name]!) }
        return text
    }

    public func name(_ names: Names) -> String { language == .zh ? names.zh : names.en }

    public func sector(_ sector: Sector) -> String {
        sector == .landSinks ? self["report.land_sinks_release"] : self["sector." + sector.key]
    }

    public func plant(_ kind: PlantKind) -> String { self["tools.\(kind.key)_plant"] }

    /// A tool's name as the toolbar shows it; the key itself for a tool without one.
    public func tool(_ key: String) -> String {
        let text = self["tools." + key]
        return text == "tools." + key ? key : text
    }

    /// An amount of yuan as a reader of this language counts it: 万元 and 亿元 in Chinese
    /// ("4,000万元", "1.25亿元"), grouped digits in English ("40,000,000 yuan").
    public func money(_ yuan: Double) -> String { MoneyText.format(yuan, chinese: language == .zh, compact: false) }

    /// " (optional)" / "（可选）", after an optional objective's title.
    public var optionalMark: String { language == .zh ? "（\(self["report.optional"])）" : " (\(self["report.optional"]))" }

    public func status(_ status: String) -> String {
        let text = self["report.status_" + status]
        return text == "report.status_" + status ? status : text
    }

    public func result(_ result: String) -> String {
        let text = self["report.result_" + result]
        return text == "report.result_" + result ? result : text
    }
}

/// Money in the units a reader counts in. Chinese counts in 万 (10⁴) and 亿 (10⁸), so 40,000,000
/// yuan is "4,000万元", not "40.0 m"; English groups thousands, or says "m" and "bn" when compact.
public enum MoneyText {
    public static func format(_ yuan: Double, chinese: Bool, compact: Bool) -> String {
        guard yuan.isFinite else { return "—" }
        let sign = yuan < 0 ? "-" : "", a = abs(yuan)
        if chinese {
            if a >= 1e8 { return sign + Fixed.format(a / 1e8, 2) + "亿元" }
            if a >= 1e6 { return sign + ReportCharts.grouped(Fixed.format(a / 1e4, 0)) + "万元" }
            if a >= 1e4 { return sign + Fixed.format(a / 1e4, 1) + "万元" }
            return sign + Fixed.format(a, 0) + "元"
        }
        if compact {
            if a >= 1e9 { return sign + Fixed.format(a / 1e9, 2) + " bn yuan" }
            if a >= 1e6 { return sign + Fixed.format(a / 1e6, 1) + " m yuan" }
        }
        return sign + ReportCharts.grouped(Fixed.format(a, 0)) + " yuan"
    }
}
