// Strings.swift — every word the game and the report show, from Resources/locale/en.toml and zh.toml.
//
// Keys are "section.key" (e.g. "hud.budget"). A key missing from the chosen language falls back
// to English, then to the key itself, so a missing translation shows up instead of crashing.
// The report uses its `[report]` keys plus the game's `sector.*`, `tools.*` and `charts.*` names,
// so that a chart says "Coal plant" exactly as the toolbar does.
import CitySim
import TOML

public enum Language: String, CaseIterable, Sendable {
    case en, zh
    public var other: Language { self == .en ? .zh : .en }
}

/// One language's file, `Resources/locale/CODE.toml`, as "section.key" → text.
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

public struct Strings: Sendable {
    public let language: Language
    private let table: [String: String]
    private let english: [String: String]

    public init(language: Language) {
        self.language = language
        english = LocaleFile.read(Language.en.rawValue)
        table = language == .en ? english : LocaleFile.read(language.rawValue)
    }

    public subscript(_ key: String) -> String { table[key] ?? english[key] ?? key }

    /// Whether either language has `key`.
    public func has(_ key: String) -> Bool { table[key] != nil || english[key] != nil }

    /// The string for `key` with each `{name}` replaced by its value.
    public func fill(_ key: String, _ values: [String: String]) -> String {
        var text = self[key]
        for name in values.keys.sorted() { text = text.replacingOccurrences(of: "{\(name)}", with: values[name]!) }
        return text
    }

    /// `key`'s text, or `fallback` when neither language has it.
    private func text(_ key: String, or fallback: String) -> String { has(key) ? self[key] : fallback }

    public var keys: [String] { table.keys.sorted() }

    // MARK: - Names

    /// A name from the catalog in this language.
    public func name(_ names: Names) -> String { language == .zh ? names.zh : names.en }

    public func sector(_ sector: Sector) -> String {
        sector == .landSinks ? self["report.land_sinks_release"] : self["sector." + sector.key]
    }

    public func plant(_ kind: PlantKind) -> String { self["tools.\(kind.key)_plant"] }

    /// A tool's name as the toolbar shows it; the key itself for a tool without one.
    public func tool(_ key: String) -> String { text("tools." + key, or: key) }

    /// " (optional)" / "（可选）", after an optional objective's title.
    public var optionalMark: String { language == .zh ? "（\(self["report.optional"])）" : " (\(self["report.optional"]))" }

    public func status(_ status: String) -> String { text("report.status_" + status, or: status) }

    public func result(_ result: String) -> String { text("report.result_" + result, or: result) }

    // MARK: - Numbers

    /// Money as this language counts it: "4,000万元" / "1.25亿元" in Chinese; in English "40.0 m
    /// yuan" (the HUD's short form) or, `inFull`, "40,000,000 yuan" (the report's tables).
    public func money(_ yuan: Double, inFull: Bool = false) -> String {
        NumberText.money(yuan, chinese: language == .zh, compact: !inFull)
    }

    /// Tonnes with grouped digits and the unit: "12,500 t" (one decimal below 10).
    public func tonnes(_ value: Double) -> String {
        NumberText.grouped(value, decimals: value.magnitude < 10 ? 1 : 0) + " " + self["units.tonnes"]
    }
}
