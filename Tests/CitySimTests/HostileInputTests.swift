// HostileInputTests — numbers and sizes from level files and catalog overrides that used to
// trap the process or write NaN (issue 13), each now a positioned error at load and in check.
import CitySim
import Testing
import TOML

@Suite("Hostile levels and catalogs")
struct HostileInputTests {
    @Test(arguments: [
        ("population", "growth_rate_max", "-1e308"),
        ("zone.forest", "build_cost", "1e300"),
        ("building.residential", "occupants", "1e300"),
        ("plant.coal", "capacity", "-5.0"),
        ("population", "growth_rate_max", "nan"),
    ])
    func extremeCatalogOverridesArePositionedErrors(table: String, key: String, value: String) throws {
        let factor = try #require(testCatalog.factor(path: table + "." + key))
        let override = "[\(table)]\n\(key) = { value = \(value), unit = \"\(factor.unit)\", source = \"test\" }\n"
        let errors = loadErrors(repositoryRoot + "/Resources/catalog", overrides: [(override, "mod.toml")])
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.file == "mod.toml")
        #expect(errors.first?.position.line == 2)
        #expect(errors.first?.message.contains("finite") == true || errors.first?.message.contains("outside the game's limits") == true,
                "\(errors)")
    }

    @Test func levelCatalogOverridesAreCheckedByTheLevelReader() {
        let text = minimalLevel + "\n[catalog.population]\ngrowth_rate_max = { value = -1e308, unit = \"fraction/yr\", source = \"mod\" }\n"
        let problem = firstProblem(text)
        #expect(problem?.contains("outside the game's limits") == true, "\(problem ?? "none")")
        #expect(problem?.hasPrefix("\(minimalLevel.split(separator: "\n", omittingEmptySubsequences: false).count + 2):") == true,
                "\(problem ?? "none")")
    }

    @Test func scriptCatalogChangesAreRangeChecked() {
        #expect(throws: CatalogError.self) { _ = try testCatalog.setting("zone.forest.build_cost", to: 1e300, source: "script") }
        #expect(throws: CatalogError.self) { _ = try testCatalog.setting("population.growth_rate_max", to: -1e308, source: "script") }
        #expect(throws: Never.self) { _ = try testCatalog.setting("zone.forest.build_cost", to: 5e6, source: "script") }
    }

    @Test func notANumberSaysSo() {
        let text = minimalLevel.replacingOccurrences(of: "seed = 3", with: "seed = 3\nbudget = nan")
        #expect(firstProblem(text) == "6:10: 'budget' must be a finite number, not nan")
        let infinite = minimalLevel.replacingOccurrences(of: "seed = 3", with: "seed = 3\nbudget = -inf")
        #expect(firstProblem(infinite) == "6:10: 'budget' must be a finite number, not -inf")
    }

    @Test func aMapOverThePopulationLimitIsRefusedWithTheReason() {
        // 512 × 512 dense homes passed check and then needed more than 6 GB; 128 × 128 reached 4 million people.
        for side in [128, 512] {
            let row = String(repeating: "H", count: side)
            let rows = Array(repeating: row, count: side).joined(separator: "\n")
            let text = "[level]\nid = \"big\"\ntitle_en = \"Big\"\ntitle_zh = \"大\"\n\n[map]\nrows = \"\"\"\n\(rows)\n\"\"\"\n"
            let result = parseLevel(text)
            #expect(result.level == nil)
            let problem = result.diagnostics.first { $0.message.contains("at most \(CityLimits.maximumPopulation)") }
            #expect(problem != nil, "\(side): \(result.diagnostics.prefix(3))")
            #expect(problem?.line == 6 && problem?.column == 1)
        }
        // The reference city (100,500 residents on 256 × 256) is well inside the limit.
        #expect(CityLimits.problem(placements: BuiltinLevels.reference(seed: 1, catalog: testCatalog).placements,
                                   catalog: testCatalog) == nil)
    }
}
