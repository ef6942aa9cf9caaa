// ChineseTextTests — no English word in what a Chinese player or teacher reads: the zh locale
// file, every `_zh` text of the catalog and the levels, and the educator's report built in
// Chinese at run time (report.md and each chart's strings come from those same keys and texts).
// Units, key names, standards and proper names on the allowlist may stay in Latin letters.
import CitySim
import Foundation
import Locale
import Report
import Testing
import TOML

/// Latin-letter words (two letters or more) that are not units, keys or proper names. `{name}`
/// placeholders, file names (`yearly.csv`) and `code spans` are not words a reader reads as text.
func englishWordsInChinese(_ text: String) -> [String] {
    let allowed: Set<String> = [
        // units and symbols
        "CO2", "CO2e", "tCO2e", "gCO2", "kWh", "MWh", "GWh", "kW", "MW", "GW", "ha", "km", "PM2",
        // keys on the keyboard
        "Enter", "Esc", "Tab", "F1", "F5", "F9", "F12", "Ctrl", "Shift",
        // abbreviations used as names: power usage effectiveness, IT load, registry unit types
        "PUE", "IT", "AL", "OF", "GC", "CCUS", "CCER", "ETS", "V2G",
        // institutions, standards and authors cited by name
        "IPCC", "PNNL", "NREL", "CEC", "GB", "Dill", "Carr", "Sinn", "International", "Tax", "and", "Public", "Finance",
    ]
    var cleaned = text
    for pattern in [#"\{[a-z_]+\}"#, #"[A-Za-z_]+\.(csv|md|png|toml|json)"#, "`[^`]*`"] {
        cleaned = cleaned.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
    }
    var words: [String] = []
    var current = ""
    func flush() {
        if current.count >= 2 && current.contains(where: \.isLetter) && !allowed.contains(current) { words.append(current) }
        current = ""
    }
    for scalar in cleaned.unicodeScalars {
        let latin = (scalar >= "A" && scalar <= "Z") || (scalar >= "a" && scalar <= "z")
        if latin || (scalar >= "0" && scalar <= "9" && !current.isEmpty) { current.unicodeScalars.append(scalar) } else { flush() }
    }
    flush()
    return words
}

/// Every string in a TOML document under a key ending in `_zh` (or every string, `all`), as "path: text".
func chineseStrings(in table: TOMLTable, path: String = "", all: Bool) -> [(path: String, text: String)] {
    var found: [(String, String)] = []
    func visit(_ value: TOMLValue, _ path: String, zh: Bool) {
        if let text = value.stringValue { if zh { found.append((path, text)) }; return }
        if let table = value.tableValue {
            for (key, node) in table.entries { visit(node.value, path + "." + key, zh: all || key.hasSuffix("_zh")) }
        } else if let array = value.arrayValue {
            for (i, node) in array.enumerated() { visit(node.value, path + "[\(i)]", zh: zh) }
        }
    }
    for (key, node) in table.entries { visit(node.value, path + key, zh: all || key.hasSuffix("_zh")) }
    return found
}

func tomlFiles(under directory: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
    return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".toml") }.sorted().map { directory + "/" + $0 }
}

@Suite("Chinese text has no English")
struct ChineseTextTests {
    @Test func theCheckFindsEnglishAndAllowsUnitsAndNames() {
        #expect(englishWordsInChinese("预算 40.0 m ¥ · seed 101") == ["seed"])
        #expect(englishWordsInChinese("无法执行: tile (36, 36) is already occupied") == ["tile", "is", "already", "occupied"])
        #expect(englishWordsInChinese("每千瓦时847克CO2（IPCC 2006）；{value} 见 yearly.csv").isEmpty)
    }

    @Test func theChineseLocaleFileIsChinese() throws {
        let path = repositoryRoot + "/Resources/locale/zh.toml"
        let document = try TOML.parse(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
        let strings = chineseStrings(in: document, all: true)
        #expect(strings.count > 300, "the walk reads the whole file: \(strings.count)")
        let english = strings.compactMap { s in englishWordsInChinese(s.text).isEmpty ? nil : "\(s.path): \(englishWordsInChinese(s.text)) in “\(s.text)”" }
        #expect(english.isEmpty, "\(english.count) zh.toml strings hold English:\n\(english.joined(separator: "\n"))")
    }

    @Test func theCatalogsAndLevelsChineseTextsAreChinese() throws {
        var strings: [(path: String, text: String)] = []
        for file in tomlFiles(under: repositoryRoot + "/Resources/catalog") + tomlFiles(under: repositoryRoot + "/Levels") {
            let document = try TOML.parse(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: file))), file: file)
            strings += chineseStrings(in: document, path: (file as NSString).lastPathComponent + ":", all: false)
        }
        #expect(strings.count > 150, "the walk found the _zh texts: \(strings.count)")
        let english = strings.compactMap { s in englishWordsInChinese(s.text).isEmpty ? nil : "\(s.path): \(englishWordsInChinese(s.text))" }
        #expect(english.isEmpty, "\(english.count) _zh texts hold English:\n\(english.joined(separator: "\n"))")
    }

    @Test func theReportInChineseIsChinese() throws {
        // Lesson 1 played for half a year: report.md as `netzero report --lang zh` writes it.
        let path = repositoryRoot + "/Levels/lessons/01-sources-and-sinks.toml"
        let level = try #require(LevelFile.load(path: path, catalog: catalog).level)
        let city = City(level: level, catalog: catalog)
        city.run(hours: 24 * 180)
        let series = RunSeries.live(city.view, source: .game(city.view.clock.date.description), level: level)
        let strings = Strings(language: .zh)
        let markdown = EducatorReport.markdown(series, strings: strings)
        #expect(markdown.contains("第1课：碳源与碳汇") && markdown.contains("万元"), "\(markdown)")
        #expect(markdown.components(separatedBy: "可选").count - 1 == series.objectives.filter { !$0.required }.count, "“可选” once per optional objective")
        let english = markdown.split(separator: "\n").flatMap { englishWordsInChinese(String($0)) }
        #expect(english.isEmpty, "English in the Chinese report: \(english)\n\(markdown)")
        // The charts' subtitle names the level and the years, never the seed.
        #expect(!strings.fill("report.subtitle", ["level": "L", "years": "2020", "seed": "101"]).contains("101"))
    }
}
