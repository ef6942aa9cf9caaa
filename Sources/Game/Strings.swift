// Strings.swift — every UI string, from Resources/locale/en.toml and zh.toml.
//
// Keys are "section.key" (e.g. "hud.budget"). A key missing from the chosen language falls back
// to English, then to the key itself, so a missing translation shows up instead of crashing.
import CitySim
import Foundation
import Report

public enum Language: String, CaseIterable, Sendable {
    case en, zh
    public var other: Language { self == .en ? .zh : .en }
}

public struct Strings: Sendable {
    public let language: Language
    private var table: [String: String] = [:]
    private var english: [String: String] = [:]

    public init(language: Language) {
        self.language = language
        english = Strings.read(.en)
        table = language == .en ? english : Strings.read(language)
    }

    static func read(_ language: Language) -> [String: String] { LocaleFile.read(language.rawValue) }

    public subscript(_ key: String) -> String { table[key] ?? english[key] ?? key }

    /// Whether either language has `key`.
    public func has(_ key: String) -> Bool { table[key] != nil || english[key] != nil }

    /// The string for `key` with each `{name}` replaced by its value.
    public func fill(_ key: String, _ values: [String: String]) -> String {
        var text = self[key]
        for name in values.keys.sorted() { text = text.replacingOccurrences(of: "{\(name)}", with: values[name]!) }
        return text
    }

    /// A name from the catalog in this language.
    public func name(_ names: Names) -> String { language == .zh ? names.zh : names.en }

    public var keys: [String] { table.keys.sorted() }

    /// Money as this language counts it: "4,000万元" / "1.25亿元" in Chinese, "40.0 m yuan" in English.
    public func money(_ yuan: Double) -> String { MoneyText.format(yuan, chinese: language == .zh, compact: true) }
}
