// ModPackageTests — mod folders: mod.toml, load order, refusals, conflicting catalog overrides,
// a mod's level running with its mods' overrides, and hostile mod folders.
import CitySim
import Foundation
import Testing

/// A mod.toml with the given id and extra lines.
func manifest(_ id: String, version: String = "1.0", game: String = "0.3", extra: String = "") -> String {
    """
    id = "\(id)"
    version = "\(version)"
    title_en = "Mod \(id)"
    title_zh = "模组 \(id)"
    authors = ["Tester"]
    game_versions = ["\(game)"]
    \(extra)
    """
}

func solarCost(_ yuan: Double) -> String {
    "[plant.solar]\nbuild_cost = { value = \(yuan), unit = \"yuan\", source = \"test value\" }\n"
}

@Suite("Mod packages")
struct ModPackageTests {
    @Test func theShippedModsLoadInIdOrder() throws {
        let library = ModLibrary.load(roots: [repositoryRoot + "/Levels/mods"])
        #expect(library.diagnostics.isEmpty, "\(library.diagnostics)")
        #expect(library.packages.map(\.manifest.id) == ["carbon-tax-shock", "green-points", "rooftop-solar"])
        let rooftop = try #require(library.packages.last)
        #expect(rooftop.manifest.title.zh == "屋顶光伏")
        #expect(rooftop.levels.count == 1 && rooftop.scripts.count == 1 && rooftop.catalogFiles.count == 1)
        #expect(rooftop.strings["zh"]?["rooftop.welcome"]?.contains("3.18") == true)
    }

    @Test func aModsLevelRunsWithItsCatalogOverrideScriptAndStrings() throws {
        let path = repositoryRoot + "/Levels/mods/rooftop-solar/levels/rooftop-solar.toml"
        let result = LevelFile.load(path: path, catalog: testCatalog)
        let level = try #require(result.level, "\(result.diagnostics)")
        #expect(level.mods == [ModReference(id: "rooftop-solar", version: "1.0.0")])
        #expect(level.modTitle?.en == "Rooftop solar")
        let cost = level.catalogOverrides?.table("plant")?.table("solar")?.table("build_cost")?.double("value")
        #expect(cost == 1_590_000)
        let catalog = try Catalog.load(directory: repositoryRoot + "/Resources/catalog", overrideTables: [(level.catalogOverrides!, path)])
        #expect(catalog.plant(.solar).buildCost == 1_590_000)
        #expect(testCatalog.plant(.solar).buildCost != 1_590_000)
        #expect(level.script?.file.hasSuffix("scripts/rooftop-solar.lua") == true)
        #expect(level.script?.strings["en"]?["rooftop.halfway"] != nil)
    }

    @Test func dependenciesLoadFirstThenById() throws {
        let root = try scratchFolder("mods-order")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(manifest("a-needs-z", extra: "[dependencies]\nz-base = \"1.0\""), to: root + "/a-needs-z/mod.toml")
        try write(manifest("z-base", version: "1.2"), to: root + "/z-base/mod.toml")
        try write(manifest("m-alone"), to: root + "/m-alone/mod.toml")
        let library = ModLibrary.load(roots: [root], gameVersion: "0.3.0")
        #expect(library.diagnostics.isEmpty, "\(library.diagnostics)")
        #expect(library.packages.map(\.manifest.id) == ["m-alone", "z-base", "a-needs-z"])
        #expect(library.chain(for: "a-needs-z")?.map(\.manifest.id) == ["z-base", "a-needs-z"])
    }

    @Test func aMissingOrOldDependencyOrAnotherGameVersionIsRefusedByName() throws {
        let root = try scratchFolder("mods-refused")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(manifest("needs-new", extra: "[dependencies]\nbase = \"1.2\""), to: root + "/needs-new/mod.toml")
        try write(manifest("base", version: "1.1"), to: root + "/base/mod.toml")
        try write(manifest("needs-gone", extra: "[dependencies]\ngone = \"1\""), to: root + "/needs-gone/mod.toml")
        try write(manifest("too-old", game: "0.2"), to: root + "/too-old/mod.toml")
        try write(manifest("on-top", extra: "[dependencies]\nneeds-new = \"1\""), to: root + "/on-top/mod.toml")
        let library = ModLibrary.load(roots: [root], gameVersion: "0.3.0")
        #expect(library.packages.map(\.manifest.id) == ["base"])
        let messages = library.diagnostics.map(\.description)
        #expect(messages.contains { $0.contains("needs-new/mod.toml:8:1: error: mod 'needs-new' needs mod 'base' 1.2 or newer; installed: base 1.1") }, "\(messages)")
        #expect(messages.contains { $0.contains("mod 'needs-gone' needs mod 'gone' 1 or newer, which is not installed") }, "\(messages)")
        #expect(messages.contains { $0.contains("too-old/mod.toml:6:17: error: mod 'too-old' 1.0 supports NetZero City 0.2; this game is 0.3.0") }, "\(messages)")
        #expect(messages.contains { $0.contains("mod 'on-top' needs mod 'needs-new' 1 or newer; needs-new 1.0 is installed but cannot load") }, "\(messages)")
    }

    @Test func circularDependenciesAreRefused() throws {
        let root = try scratchFolder("mods-circle")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(manifest("one", extra: "[dependencies]\ntwo = \"1\""), to: root + "/one/mod.toml")
        try write(manifest("two", extra: "[dependencies]\none = \"1\""), to: root + "/two/mod.toml")
        let library = ModLibrary.load(roots: [root], gameVersion: "0.3.0")
        #expect(library.packages.isEmpty)
        #expect(library.diagnostics.filter { $0.message.contains("circle of dependencies (one, two)") }.count == 2, "\(library.diagnostics)")
    }

    @Test func conflictingCatalogOverridesNameBothMods() throws {
        let root = try scratchFolder("mods-conflict")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(manifest("cheap-solar"), to: root + "/cheap-solar/mod.toml")
        try write(solarCost(1_000_000), to: root + "/cheap-solar/catalog/solar.toml")
        try write(manifest("dear-solar", extra: "[dependencies]\ncheap-solar = \"1\""), to: root + "/dear-solar/mod.toml")
        try write(solarCost(2_000_000), to: root + "/dear-solar/catalog/solar.toml")
        try write(manifest("same-solar"), to: root + "/same-solar/mod.toml")
        try write(solarCost(1_000_000), to: root + "/same-solar/catalog/solar.toml")
        try write(manifest("other-solar"), to: root + "/other-solar/mod.toml")
        try write(solarCost(3_000_000), to: root + "/other-solar/catalog/solar.toml")
        let library = ModLibrary.load(roots: [root], gameVersion: "0.3.0")
        // dear-solar needs cheap-solar and sets the same entry another way: refused, both named.
        let refusal = try #require(library.diagnostics.first { $0.severity == .error })
        #expect(refusal.file.hasSuffix("dear-solar/catalog/solar.toml") && refusal.line == 2)
        #expect(refusal.message.contains("'cheap-solar' (Mod cheap-solar)") && refusal.message.contains("'dear-solar' (Mod dear-solar)"))
        #expect(!library.packages.contains { $0.manifest.id == "dear-solar" })
        // Unrelated mods with different values: a warning naming both; the same value is no conflict.
        let warnings = library.diagnostics.filter { $0.severity == .warning }
        #expect(warnings.contains { $0.message.contains("'cheap-solar'") && $0.message.contains("'other-solar'") }, "\(warnings)")
        #expect(!library.diagnostics.contains { $0.message.contains("'same-solar'") && $0.message.contains("'cheap-solar'") })
    }

    @Test func aLevelOfARefusedModDoesNotLoadAndSaysWhy() throws {
        let root = try scratchFolder("mods-level")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(manifest("lonely", extra: "[dependencies]\nabsent = \"2.0\""), to: root + "/lonely/mod.toml")
        try write(minimalLevel, to: root + "/lonely/levels/mini.toml")
        let result = LevelFile.load(path: root + "/lonely/levels/mini.toml", catalog: testCatalog)
        #expect(result.level == nil)
        #expect(result.diagnostics.contains { $0.message.contains("mod 'lonely' needs mod 'absent' 2.0 or newer, which is not installed") },
                "\(result.diagnostics)")
    }

    @Test func hostileModFoldersGetClearMessages() throws {
        let root = try scratchFolder("mods-hostile")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write("id = \"broken\n", to: root + "/broken/mod.toml")
        try write(manifest("Bad Id"), to: root + "/badid/mod.toml")
        try write(manifest("named-else"), to: root + "/folder-x/mod.toml")
        try write(manifest("bad-version", version: "one"), to: root + "/bad-version/mod.toml")
        try write(String(repeating: "# padding\n", count: 10_000), to: root + "/huge/mod.toml")
        try FileManager.default.createDirectory(atPath: root + "/pipe", withIntermediateDirectories: true)
        #expect(mkfifo(root + "/pipe/mod.toml", 0o644) == 0)
        try FileManager.default.createDirectory(atPath: root + "/dir/mod.toml", withIntermediateDirectories: true)
        try write(manifest("odd-files") + "\n[dependencies]\nodd-files = \"1\"", to: root + "/odd-files/mod.toml")
        try FileManager.default.createDirectory(atPath: root + "/no-manifest", withIntermediateDirectories: true)
        try write("en = 1", to: root + "/locale-bad/locale/fr.toml")
        try write(manifest("locale-bad"), to: root + "/locale-bad/mod.toml")
        let library = ModLibrary.load(roots: [root], gameVersion: "0.3.0")
        #expect(library.packages.isEmpty, "\(library.packages.map(\.manifest.id))")
        let text = library.diagnostics.map(\.description).joined(separator: "\n")
        for expected in ["broken/mod.toml:1:6: error: unterminated string",
                         "badid/mod.toml:1:6: error: a mod id is 1–64 lowercase letters",
                         "folder-x/mod.toml:1:6: error: the mod's folder is named 'folder-x' but its id is 'named-else'",
                         "bad-version/mod.toml:2:11: error: a mod version is written \"1.2.0\"",
                         "huge/mod.toml:1:1: error: cannot read mod.toml: the file is 100000 bytes; at most 65536 are read",
                         "pipe/mod.toml:1:1: error: cannot read mod.toml: it is not a regular file",
                         "dir/mod.toml:1:1: error: cannot read mod.toml: it is a folder, not a file",
                         "odd-files/mod.toml:9:1: error: a mod cannot depend on itself",
                         "no-manifest:1:1: warning: not a mod: the folder has no mod.toml",
                         "locale-bad/locale/fr.toml:1:1: error: locale files are en.toml and zh.toml, not 'fr.toml'"] {
            #expect(text.contains(expected), "missing: \(expected)\n\(text)")
        }
    }

    @Test func aModInstalledTwiceLoadsFromTheFirstFolder() throws {
        let first = try scratchFolder("mods-first"), second = try scratchFolder("mods-second")
        defer { try? FileManager.default.removeItem(atPath: first); try? FileManager.default.removeItem(atPath: second) }
        try write(manifest("twin", version: "1.0"), to: first + "/twin/mod.toml")
        try write(manifest("twin", version: "2.0"), to: second + "/twin/mod.toml")
        let library = ModLibrary.load(roots: [first, second], gameVersion: "0.3.0")
        #expect(library.packages.map(\.manifest.version.description) == ["1.0"])
        #expect(library.diagnostics.first?.message.contains("installed twice") == true)
    }

    @Test func versionsCompareByNumber() throws {
        #expect(try #require(ModVersion("1.10")) > #require(ModVersion("1.9")))
        #expect(try #require(ModVersion("1.2")) == #require(ModVersion("1.2.0")))
        for bad in ["", "1.", "a", "1..2", "1.2.3.4.5", "-1", "1234567"] { #expect(ModVersion(bad) == nil, "\(bad)") }
    }

    @Test func xdgFoldersFollowTheSpecification() {
        #expect(UserDirectories.mods(environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/li"]) == "/data/netzero/mods")
        #expect(UserDirectories.levels(environment: ["HOME": "/home/li"]) == "/home/li/.local/share/netzero/levels")
        // A relative XDG_DATA_HOME is to be ignored.
        #expect(UserDirectories.mods(environment: ["XDG_DATA_HOME": "data", "HOME": "/home/li"]) == "/home/li/.local/share/netzero/mods")
    }
}

@Suite("Replays name their mods")
struct ReplayModTests {
    @Test func aReplayRecordsItsLevelsModsAndReadsThemBack() throws {
        let path = repositoryRoot + "/Levels/mods/rooftop-solar/levels/rooftop-solar.toml"
        let level = try #require(LevelFile.load(path: path, catalog: testCatalog).level)
        let city = City(level: level, catalog: testCatalog)
        let log = ReplayLog(city: city, mods: level.mods.map { ($0.id, $0.version) })
        #expect(log.text.contains("\nmod rooftop-solar 1.0.0\n"))
        let parsed = try #require(ReplayLog.parse(log.text, file: "r.replay").log)
        #expect(parsed.mods.map(\.id) == ["rooftop-solar"] && parsed.mods.map(\.version) == ["1.0.0"])
        #expect(parsed.modProblems(installed: level.mods).isEmpty)
    }

    @Test func aMismatchIsNamedWithBothVersions() {
        var log = ReplayLog(levelID: "x", seed: 1, commands: [])
        log.mods = [("tide", "1.2"), ("gone", "2.0")]
        let problems = log.modProblems(installed: [ModReference(id: "tide", version: "1.1"), ModReference(id: "extra", version: "1.0")])
        #expect(problems == ["replay needs mod tide 1.2, installed 1.1",
                             "replay needs mod gone 2.0, which is not installed",
                             "the level now runs with mod extra 1.0, which the replay was not recorded with"])
        // "1.2" and "1.2.0" are one version.
        #expect(log.modProblems(installed: [ModReference(id: "tide", version: "1.2.0"), ModReference(id: "gone", version: "2")]).isEmpty)
    }

    @Test func aReplayWithoutModLinesStillLoadsAndIsNotRefused() throws {
        let text = "# NetZero City replay\nformat 2\ngame 0.3.0\nlevel sandbox\nseed 2060\n10 build road 5 6\nend 20\n"
        let log = try #require(ReplayLog.parse(text, file: "old.replay").log)
        #expect(log.mods.isEmpty)
        #expect(log.modProblems(installed: [ModReference(id: "green-points", version: "1.0.0")]).isEmpty)
    }
}

@Suite("Mod packages: mangled mod.toml")
struct ModManifestFuzzTests {
    /// Every mutation of a valid mod.toml (bytes flipped, cut, repeated, inserted) either loads or
    /// is refused with a message at a position inside the file; none crashes or hangs.
    @Test func mangledManifestsAreRefusedClearly() throws {
        let original = Array(manifest("fuzzed", extra: "[dependencies]\n").utf8)
        let root = try scratchFolder("mods-fuzz")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/fuzzed", withIntermediateDirectories: true)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(1, bound)))
        }
        let pieces: [[UInt8]] = [[0], [0xFF], Array("\"".utf8), Array("[[".utf8), Array("= =".utf8), Array("\n[dependencies]\nfuzzed = \"1\"\n".utf8),
                                 Array("version = \"99999999.1\"\n".utf8), Array("game_versions = []\n".utf8), Array("é中".utf8)]
        for round in 0..<300 {
            var bytes = original
            for _ in 0...next(3) {
                switch next(4) {
                case 0: if !bytes.isEmpty { bytes[next(bytes.count)] = UInt8(next(256)) }
                case 1: bytes = Array(bytes.prefix(next(bytes.count + 1)))
                case 2: bytes.insert(contentsOf: pieces[next(pieces.count)], at: next(bytes.count + 1))
                default: bytes += bytes.prefix(next(40))
                }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: root + "/fuzzed/mod.toml"), options: .atomic)
            let library = ModLibrary.load(roots: [root], gameVersion: "0.3.0")
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
            if library.packages.isEmpty {
                let error = try #require(library.diagnostics.first { $0.severity == .error }, "round \(round): refused without a message")
                #expect(error.line >= 1 && error.line <= lines + 1 && error.column >= 1 && !error.message.isEmpty, "round \(round): \(error)")
            }
        }
    }
}
