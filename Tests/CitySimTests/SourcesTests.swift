// SourcesTests.swift — what a player or teacher reads cites real works: nothing in README.md,
// docs/, Levels/ or Resources/ points outside the project or at internal line numbers, and every
// work a catalog or level `source` names is in the bibliography, docs/sources.md.
import Foundation
import Testing

/// The project's text files under `paths` (relative to the repository root), recursively.
func projectTextFiles(_ paths: [String]) -> [String] {
    let textExtensions: Set<String> = ["md", "toml", "lua", "txt", "csv", "json"]
    var files: [String] = []
    for path in paths {
        let full = repositoryRoot + "/" + path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
        if !isDirectory.boolValue { files.append(full); continue }
        guard let walker = FileManager.default.enumerator(atPath: full) else { continue }
        for case let name as String in walker where textExtensions.contains((name as NSString).pathExtension) {
            files.append(full + "/" + name)
        }
    }
    return files.sorted()
}

/// Each line of `files` that cites the design notes or points outside the project, as "file:line: text".
func forbiddenCitations(in files: [String]) -> [String] {
    let internalLine = try! NSRegularExpression(pattern: #"\b00[0-4]:\d{2,4}"#)
    var found: [String] = []
    for file in files {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let s = String(line), lower = s.lowercased()
            let range = NSRange(s.startIndex..., in: s)
            if s.contains("shared/") || lower.contains("seed notes") || lower.contains("seed-notes") || s.contains("种子笔记")
                || internalLine.firstMatch(in: s, range: range) != nil {
                found.append("\(file.replacingOccurrences(of: repositoryRoot + "/", with: "")):\(n + 1): \(s.prefix(120))")
            }
        }
    }
    return found
}

/// The keys of docs/sources.md: each backquoted name in the first cell of a table row.
func bibliographyKeys(_ markdown: String) -> [String] {
    var keys: [String] = []
    for line in markdown.split(separator: "\n") where line.hasPrefix("| `") {
        let firstCell = line.split(separator: "|", omittingEmptySubsequences: true).first ?? ""
        let parts = firstCell.split(separator: "`", omittingEmptySubsequences: false)
        keys += stride(from: 1, to: parts.count, by: 2).map { String(parts[$0]) }.filter { !$0.isEmpty }
    }
    return keys
}

/// Whether a `source` string names a published work: a Chinese title in 《》, or a capitalised
/// name followed by a year ("Sinn 2008", "IPCC (2006)", "NREL ATB 2023"). A `design:` note that
/// only mentions a year ("installed 2015–2022") names no work.
func namesAWork(_ source: String) -> Bool {
    if source.contains("《") { return true }
    let pattern = try! NSRegularExpression(pattern: #"\b[A-Z][A-Za-z&./-]+(?: et al\.?)?,? \(?(?:19|20)\d\d\b"#)
    return pattern.firstMatch(in: source, range: NSRange(source.startIndex..., in: source)) != nil
}

/// Every `source = "…"` string in `files` that names a work listed under none of `keys`.
func unlistedSources(in files: [String], keys: [String]) -> [String] {
    let sourceString = try! NSRegularExpression(pattern: #"source = "([^"]*)""#)
    var found: [String] = []
    for file in files {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let s = String(line)
            for match in sourceString.matches(in: s, range: NSRange(s.startIndex..., in: s)) {
                let source = String(s[Range(match.range(at: 1), in: s)!])
                if namesAWork(source) && !keys.contains(where: { source.contains($0) }) {
                    found.append("\(file.replacingOccurrences(of: repositoryRoot + "/", with: "")):\(n + 1): \(source.prefix(100))")
                }
            }
        }
    }
    return found
}

@Suite("Sources cited in the project")
struct SourcesTests {
    @Test func nothingCitesTheDesignNotesOrPointsOutsideTheProject() throws {
        let files = projectTextFiles(["README.md", "docs", "Levels", "Resources"])
        #expect(files.count > 20, "the walk found the project's files")
        let found = forbiddenCitations(in: files)
        #expect(found.isEmpty, "\(found.count) lines cite seed notes, internal line numbers or ../shared:\n\(found.joined(separator: "\n"))")
    }

    @Test func theCheckCatchesEachForbiddenForm() throws {
        let directory = NSTemporaryDirectory() + "sources-test-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = ["see ../shared/design/notes.md", "(Seed notes §3)", "(种子笔记 §1)", "thermal 838 g (002:1070)", "fine (IPCC 2006 Vol.2)"]
        let file = directory + "/probe.md"
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(forbiddenCitations(in: [file]).count == 4)
    }

    @Test func everyWorkTheCatalogAndLevelsCiteIsInTheBibliography() throws {
        let bibliography = try String(contentsOfFile: repositoryRoot + "/docs/sources.md", encoding: .utf8)
        let keys = bibliographyKeys(bibliography)
        #expect(keys.contains("IPCC 2006") && keys.contains("《元宇宙与碳中和》"), "keys read from docs/sources.md: \(keys.prefix(8))")
        let files = projectTextFiles(["Resources/catalog", "Levels"]).filter { $0.hasSuffix(".toml") }
        let found = unlistedSources(in: files, keys: keys)
        #expect(found.isEmpty, "\(found.count) sources name a work missing from docs/sources.md:\n\(found.joined(separator: "\n"))")
        // The rule itself: an unlisted work is caught, a listed one and a plain design note are not.
        #expect(namesAWork("Smith et al. (2031) Table 4") && namesAWork("《某报告》"))
        #expect(!namesAWork("design: 3 MW is typical of turbines installed 2015–2022"))
        #expect(unlistedSources(in: files, keys: keys.filter { $0 != "IPCC 2006" }).count > 10)
    }

    @Test func theBookIsCitedWithItsPublisherYearAndChapter() throws {
        let bibliography = try String(contentsOfFile: repositoryRoot + "/docs/sources.md", encoding: .utf8)
        for needle in ["中译出版社", "2022", "第二章", "崔雯君", "Hans Publishers", "杨博文", "汪阳", "柯华"] {
            #expect(bibliography.contains(needle), "docs/sources.md names \(needle)")
        }
    }
}
