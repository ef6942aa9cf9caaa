// LevelEditorTests.swift — the scenario editor's format-preserving writer (LevelText, LevelDraft).
import CitySim
import Foundation
import Testing

/// Every level file shipped: Levels/**/*.toml, the mods' levels included (not mod.toml, catalog or locale files).
func shippedLevelFiles() -> [String] {
    let root = repositoryRoot + "/Levels"
    let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
    return files.filter { path in
        path.hasSuffix(".toml") && !path.hasSuffix("mod.toml") && !path.contains("/catalog/") && !path.contains("/locale/")
    }.sorted().map { root + "/" + $0 }
}

func temporaryFolder() throws -> String {
    let folder = NSTemporaryDirectory() + "level-editor-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}

@Suite("The level editor's writer")
struct LevelEditorTests {
    @Test func everyShippedLevelRoundTripsByteForByte() throws {
        let files = shippedLevelFiles()
        #expect(files.count >= 14, "the lessons, the sandbox and the mods' levels: \(files)")
        for file in files {
            let (editor, diagnostics) = LevelEditor.open(path: file, catalog: testCatalog)
            let opened = try #require(editor, "\(file): \(diagnostics)")
            #expect(opened.text.bytes == FileSystem.read(file), "\(file) changed by opening and saving it")
            #expect(!opened.isModified)
        }
    }

    @Test func aChangedValueChangesOnlyItsLine() throws {
        let file = repositoryRoot + "/Levels/lessons/01-sources-and-sinks.toml"
        var editor = try #require(LevelEditor.open(path: file, catalog: testCatalog).editor)
        editor.edit { $0.budget = 50_000_000 }
        let before = editor.originalText.text.split(separator: "\n", omittingEmptySubsequences: false)
        let after = editor.text.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(before.count == after.count)
        let changed = zip(before, after).filter { $0 != $1 }
        #expect(changed.count == 1)
        // The comment after the value stays.
        #expect(changed.first?.1 == "budget = 50000000         # yuan: enough for about a hundred forest plots, not for every tile")
        // A string with quotes and Chinese is escaped and reads back.
        editor.edit { $0.titleZH = "第1课：\"碳源\"与碳汇" }
        let reread = try #require(LevelDraft.read(bytes: editor.text.bytes, file: file, catalog: testCatalog).draft)
        #expect(reread.titleZH == "第1课：\"碳源\"与碳汇" && reread.budget == 50_000_000)
    }

    @Test func editsReadBackAsTheyWereMadeInEveryShippedLevel() throws {
        for file in shippedLevelFiles() {
            var editor = try #require(LevelEditor.open(path: file, catalog: testCatalog).editor)
            let draft = editor.draft
            editor.edit { level in
                level.seed += 1
                level.occupancy = 0.75
                level.summaryEN = "Edited: a new summary"
                if !level.generated {
                    level.paint("water", x: 0, y: 0, brush: 1)
                    level.fill("forest", from: (1, 1), to: (2, 2))
                    level.paint("bike_lane", x: 0, y: level.height - 1, brush: 1)
                }
                level.allowedTools = ["road", "forest", "demolish"]
                level.policies.append(LevelDraft.PolicySetting(name: "ev_subsidy", value: 0.3))
                level.objectives.append(LevelDraft.ObjectiveDraft(id: "edited_goal", titleEN: "Edited", titleZH: "已编辑",
                                                                  metric: .renewableShare, comparison: .atLeast, target: 0.4,
                                                                  by: Int(level.startYear) + 3, required: false))
                if !level.objectives.isEmpty { level.objectives[0].comparison = level.objectives[0].comparison == .atMost ? .atLeast : .atMost }
                level.hints.append(Names(en: "A new hint", zh: "新提示"))
                if !level.hints.isEmpty { level.hints[0].zh = "改过的提示" }
                level.triggers.append(Trigger(id: "edited_trigger", when: .date(year: Int(level.startYear), month: 3, day: 1),
                                              actions: [.message(Names(en: "Hello", zh: "你好")), .grant(1000), .event(.heatwave, days: 5, policy: nil, value: 4)],
                                              once: true))
                level.overrides.append(LevelDraft.CatalogOverride(path: ["plant", "solar"], key: "build_cost", value: 850_000,
                                                                  unit: "yuan", source: "an editor test"))
            }
            #expect(editor.draft != draft)
            let result = LevelFile.parse(bytes: editor.text.bytes, file: file, catalog: testCatalog)
            #expect(!result.hasErrors, "\(file): \(result.diagnostics)")
            let reread = try #require(LevelDraft.read(bytes: editor.text.bytes, file: file, catalog: testCatalog).draft, "\(file)")
            #expect(reread == editor.draft, "\(file): what the editor wrote reads back as a different level")
            // Removing what was added gives the original bytes back for the lists and keys.
            editor.undo()
            #expect(editor.text.bytes == editor.originalText.bytes)
        }
    }

    @Test func removingElementsAndKeys() throws {
        let file = repositoryRoot + "/Levels/lessons/01-sources-and-sinks.toml"
        var editor = try #require(LevelEditor.open(path: file, catalog: testCatalog).editor)
        let objectives = editor.draft.objectives.count
        editor.edit { level in
            level.objectives.removeLast()
            level.hints.removeFirst()
            level.triggers.removeLast()
            level.overrides.removeAll()
            level.allowedTools = nil
        }
        let reread = try #require(LevelDraft.read(bytes: editor.text.bytes, file: file, catalog: testCatalog).draft)
        #expect(reread == editor.draft && reread.objectives.count == objectives - 1)
        #expect(!editor.text.text.contains("growth_midpoint"))
    }

    @Test func undoAndRedo() throws {
        let file = repositoryRoot + "/Levels/sandbox.toml"
        var editor = try #require(LevelEditor.open(path: file, catalog: testCatalog).editor)
        let first = editor.draft
        editor.edit { $0.paint("water", x: 2, y: 2, brush: 3) }
        let painted = editor.draft
        #expect(painted.tile(1, 1) == "~" && painted.tile(3, 3) == "~")
        editor.edit { $0.budget = 5 }
        editor.edit { _ in }  // a no-op is not an undo step
        editor.undo()
        #expect(editor.draft == painted)
        editor.undo()
        #expect(editor.draft == first && !editor.canUndo)
        editor.redo()
        #expect(editor.draft == painted)
        editor.edit { $0.startYear = 2030 }
        #expect(!editor.canRedo, "a new edit forgets what was undone")
    }

    @Test func savingRefusesALevelThatFailsTheCheckAndKeepsTheFile() throws {
        let folder = try temporaryFolder()
        let path = folder + "/lesson.toml"
        let original = try #require(FileSystem.read(repositoryRoot + "/Levels/lessons/01-sources-and-sinks.toml"))
        try FileSystem.writeAtomically(original, to: path)
        var editor = try #require(LevelEditor.open(path: path, catalog: testCatalog).editor)
        editor.edit { $0.objectives[0].by = 2010 }
        let problems = editor.save(catalog: testCatalog)
        #expect(problems.contains { $0.severity == .error && $0.message.contains("can never be met") }, "\(problems)")
        #expect(FileSystem.read(path) == original, "a refused save leaves the file as it was")
        editor.edit { $0.objectives[0].by = 2022 }
        #expect(editor.save(catalog: testCatalog).allSatisfy { $0.severity != .error })
        let saved = try #require(FileSystem.read(path))
        #expect(saved != original && LevelFile.load(path: path, catalog: testCatalog).level?.objectives[0].deadlineYear == 2022)
        #expect(!editor.isModified, "after saving, the saved file is what edits are written over")
    }

    @Test func aReplayOfAShippedLevelVerifiesAgainstTheRoundTrippedFile() throws {
        let source = repositoryRoot + "/Levels/lessons/01-sources-and-sinks.toml"
        let level = try #require(LevelFile.load(path: source, catalog: testCatalog).level)
        let catalog = try Catalog.load(directory: repositoryRoot + "/Resources/catalog", overrideTables: [(level.catalogOverrides!, level.file)])
        let city = City(level: level, catalog: catalog)
        for x in 8...12 { city.submit(.build(.zone(.forest), x: x, y: 7)) }
        city.run(hours: 24 * 370)
        let recording = ReplayLog(city: city, levelHash: ReplayLog.levelHash(of: level))
        // The level saved unchanged by the editor, in another folder.
        let folder = try temporaryFolder()
        var editor = try #require(LevelEditor.open(path: source, catalog: testCatalog).editor)
        #expect(editor.save(to: folder + "/01.toml", catalog: testCatalog).allSatisfy { $0.severity != .error })
        let copy = try #require(LevelFile.load(path: folder + "/01.toml", catalog: testCatalog).level)
        let replayed = City(level: copy, catalog: catalog)
        var cursor = 0
        while replayed.view.clock.tick < recording.endTick! { replayed.step(replaying: recording, cursor: &cursor) }
        let journal = try #require(replayed.world.resource(StateJournal.self))
        #expect(recording.differences(levelHash: ReplayLog.levelHash(of: copy), catalog: catalog, journal: journal).isEmpty)
        #expect(replayed.world.contentHash() == city.world.contentHash())
        // A level changed by one value no longer verifies: the check can fail.
        editor.edit { $0.budget += 1 }
        _ = editor.save(to: folder + "/01.toml", catalog: testCatalog)
        let changed = try #require(LevelFile.load(path: folder + "/01.toml", catalog: testCatalog).level)
        #expect(!recording.differences(levelHash: ReplayLog.levelHash(of: changed), catalog: catalog, journal: journal).isEmpty)
    }

    @Test func theTextWriterKeepsCommentsAndAddsTablesWhereTOMLReadsThem() throws {
        var text = LevelText("# a level\n[level]\nid = \"x\"   # the id\n\n# the map\n[map]\nrows = \"\"\"\n..\n\"\"\"\n")
        text.set("format", to: "2", in: .root)
        text.set("seed", to: "7", in: .named(["level"]))
        text.set("id", to: "\"y\"", in: .named(["level"]))
        text.set("allowed", to: "[\"road\"]", in: .named(["tools"]))
        #expect(text.text == "# a level\nformat = 2\n[level]\nid = \"y\"   # the id\nseed = 7\n\n# the map\n[map]\nrows = \"\"\"\n..\n\"\"\"\n\n[tools]\nallowed = [\"road\"]\n")
        text.remove("seed", in: .named(["level"]))
        text.appendElement(["hints"], block: "[[hints]]\ntext_en = \"a\"\n")
        text.appendElement(["hints"], block: "[[hints]]\ntext_en = \"b\"\n")
        #expect(text.elementCount(["hints"]) == 2)
        text.removeElement(["hints"], 0)
        #expect(text.text.hasSuffix("[tools]\nallowed = [\"road\"]\n\n[[hints]]\ntext_en = \"b\"\n"))
        #expect(!text.text.contains("seed"))
    }
}
