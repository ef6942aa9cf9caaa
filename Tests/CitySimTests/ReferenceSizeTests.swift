// ReferenceSizeTests — the reference generator on other sides (`reference-64` … `reference-512`,
// `[map.generator] size`): content in proportion to the area, one grid at every size, and the
// default 256 city unchanged (its placements pinned by a checksum).
import CitySim
import Foundation
import Testing

@Suite("Reference city sizes")
struct ReferenceSizeTests {
    struct Counts: Equatable {
        var buildings = 0, plants = 0, stores = 0, zones = 0, residents = 0.0, jobs = 0.0
    }

    static func counts(_ setup: LevelSetup) -> Counts {
        var counts = Counts()
        for (structure, _, _) in setup.placements {
            switch structure {
            case .building(let kind, let density):
                counts.buildings += 1
                let spec = testCatalog.building(kind)
                if kind == .residential { counts.residents += spec.occupants * density * 0.9 } else { counts.jobs += spec.jobs * density }
            case .plant: counts.plants += 1
            case .storage: counts.stores += 1
            case .zone: counts.zones += 1
            default: break
            }
        }
        return counts
    }

    /// Residents, buildings and green tiles follow the area: a quarter of the 256 city's at 128,
    /// four times at 512 (buildings within 3%: streets and metro lines do not scale exactly).
    @Test(arguments: [64, 128, 512])
    func contentScalesWithTheArea(side: Int) {
        let base = Self.counts(BuiltinLevels.reference(catalog: testCatalog))
        let setup = BuiltinLevels.reference(catalog: testCatalog, side: side)
        #expect(setup.width == side && setup.height == side)
        let scale = Double(side * side) / (256.0 * 256.0)
        let counts = Self.counts(setup)
        #expect(abs(counts.residents - base.residents * scale) / (base.residents * scale) < 0.01, "\(counts.residents) residents")
        #expect(abs(Double(counts.buildings) - Double(base.buildings) * scale) / (Double(base.buildings) * scale) < 0.03,
                "\(counts.buildings) buildings")
        #expect(counts.zones == Int((5000 * scale).rounded()))
        #expect(abs(counts.jobs / counts.residents - 0.55) < 0.02, "\(counts.jobs / counts.residents) jobs per resident")
        // Firm power at every size: at least one coal and one gas unit.
        let firm = setup.placements.filter { if case .plant(let kind) = $0.structure { return kind == .coal || kind == .gas }; return false }
        #expect(firm.count >= 2)
        #expect(setup.info.id == "reference-\(side)")
    }

    /// The smaller cities are built whole: one street network carrying the power lines.
    @Test(arguments: [64, 128])
    func smallerCitiesAreOneGrid(side: Int) throws {
        let level = try #require(BuiltinLevels.load("reference-\(side)", catalog: testCatalog).level)
        let city = City(level: level, catalog: testCatalog)
        #expect(city.view.map.width == side)
        #expect(city.view.map.roadComponentCount == 1, "\(city.view.map.roadComponentCount) street networks")
    }

    /// `reference` and `reference-256` are the benchmark city, placed exactly as before `--size`
    /// existed: the checksum of its placements (seed 3060) was taken when sizes were added, once
    /// `bench sim` had given the same city figures as the generator without sizes.
    @Test func defaultSizeIsUnchanged() throws {
        let setup = BuiltinLevels.reference(catalog: testCatalog)
        var text = ""
        for (structure, x, y) in setup.placements {
            text += "\(structure.key) \(x) \(y)"
            if case .building(_, let density) = structure { text += " \(density.bitPattern)" }
            text += "\n"
        }
        text += "\(setup.budget.bitPattern) \(setup.info.id) \(setup.info.title)\n"
        #expect(setup.placements.count == 66_028, "\(setup.placements.count) placements")
        // FNV-1a, 64 bits.
        let hash = text.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        #expect(hash == 0xc6d7_7e49_5ed1_5d93, "0x\(String(hash, radix: 16))")
        let named = try #require(BuiltinLevels.load("reference-256", catalog: testCatalog).level)
        #expect(named.setup.placements.count == setup.placements.count && named.setup.info.id == "reference")
    }

    /// Unknown sizes are refused, by name and in a level file (at the value's position).
    @Test func otherSizesAreRefused() {
        #expect(BuiltinLevels.referenceSize("reference-300") == nil)
        #expect(BuiltinLevels.referenceSize("reference-") == nil)
        #expect(BuiltinLevels.referenceSize("reference") == 256)
        let level = { (size: String) in
            "[level]\nid = \"gen\"\ntitle_en = \"Gen\"\ntitle_zh = \"生成\"\nseed = 3\n\n[map.generator]\nkind = \"reference\"\nsize = \(size)\n"
        }
        let problem = firstProblem(level("100"))
        #expect(problem?.hasPrefix("9:8:") == true && problem?.contains("64, 128, 256, 512") == true, "\(problem ?? "none")")
        let good = parseLevel(level("64"))
        #expect(good.diagnostics.isEmpty, "\(good.diagnostics)")
        #expect(good.level?.setup.width == 64)
    }
}
