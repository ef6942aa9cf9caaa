// BuiltinLevels.swift — finding levels by name, and the generated reference city.
//   sandbox    Levels/sandbox.toml, a mid-size starter town on 64 × 64 tiles (the default)
//   reference  a seeded 256 × 256 city for benchmarks: ≥ 30,000 buildings, 100,000 citizens,
//              60 power plants of mixed types, 5,000 green tiles (also `[map.generator]`)
import ECS

public enum BuiltinLevels {
    public static let names = ["sandbox", "reference"]

    /// A level by name (a file `Levels/NAME.toml`, or the generated `reference`) or by path.
    /// `seed` replaces the level's own seed.
    public static func load(_ nameOrPath: String, seed: UInt64? = nil, catalog: Catalog) -> LevelLoadResult {
        var result: LevelLoadResult
        if nameOrPath == "reference" {
            let setup = reference(seed: seed ?? 3060, catalog: catalog)
            var level = LevelDefinition(setup: setup, file: "reference")
            level.title = Names(en: "Reference city", zh: "参考城市")
            result = LevelLoadResult(level: level, diagnostics: [])
        } else {
            let isPath = nameOrPath.hasSuffix(".toml") || nameOrPath.contains("/")
            result = LevelFile.load(path: isPath ? nameOrPath : ResourceLocator.levelsDirectory + "/" + nameOrPath + ".toml",
                                    catalog: catalog)
        }
        if let seed { result.level?.setup.info.seed = seed }
        return result
    }

    /// The benchmark city. Streets every 4 tiles leave 3 × 3 blocks; each block tile is a
    /// building, a plant or a green zone drawn from the seed. Two metro lines cross the city.
    public static func reference(seed: UInt64 = 3060, catalog: Catalog) -> LevelSetup {
        let side = 256
        var level = LevelSetup(info: LevelInfo(id: "reference", title: "Reference city", seed: seed), width: side, height: side,
                               budget: 50_000_000_000)
        var random = SeededRandom(seed: seed)
        let metroColumn = 130, metroRow = 126
        for y in 0..<side {
            for x in 0..<side where x % 4 == 0 || y % 4 == 0 {
                if x == metroColumn || y == metroRow { continue }
                level.placements.append((.road, x, y))
            }
        }
        for i in 0..<side {
            level.placements.append((.rail, metroColumn, i))
            level.placements.append((.rail, i, metroRow))
        }
        for i in stride(from: 6, to: side, by: 16) {
            level.placements.append((.metroStation, metroColumn, i))
            level.placements.append((.metroStation, i, metroRow))
        }
        var blockTiles: [(Int, Int)] = []
        for y in 0..<side where y % 4 != 0 && y != metroRow {
            for x in 0..<side where x % 4 != 0 && x != metroColumn { blockTiles.append((x, y)) }
        }
        // Seeded shuffle (Fisher–Yates) decides which block tile gets what.
        for i in stride(from: blockTiles.count - 1, to: 0, by: -1) {
            let j = Int(random.next() % UInt64(i + 1))
            blockTiles.swapAt(i, j)
        }
        let plantMix: [(PlantKind, Int)] = [(.coal, 10), (.gas, 8), (.nuclear, 2), (.hydro, 4), (.wind, 16), (.solar, 14),
                                            (.biomass, 3), (.waste, 3)]
        var cursor = 0
        for (kind, count) in plantMix {
            for _ in 0..<count {
                level.placements.append((.plant(kind), blockTiles[cursor].0, blockTiles[cursor].1))
                cursor += 1
            }
        }
        for k in 0..<4 { level.placements.append((.storage(k % 2 == 0 ? .battery : .pumpedHydro), blockTiles[cursor].0, blockTiles[cursor].1)); cursor += 1 }
        let zoneKinds: [ZoneKind] = [.forest, .forest, .park, .wetland, .farmland]
        for k in 0..<5000 {
            level.placements.append((.zone(zoneKinds[k % zoneKinds.count]), blockTiles[cursor].0, blockTiles[cursor].1))
            cursor += 1
        }
        let buildingTiles = blockTiles.count - cursor
        let mix: [(BuildingKind, Double)] = [(.residential, 0.45), (.commercial, 0.15), (.office, 0.08), (.industrial, 0.19),
                                             (.datacenter, 0.01), (.farm, 0.05), (.school, 0.045), (.hospital, 0.015)]
        let residentialCount = Int(Double(buildingTiles) * 0.45)
        // Home density chosen so that the starting 90% occupancy houses 100,000 citizens.
        let residentialDensity = 100_500 / 0.9 / (Double(residentialCount) * catalog.building(.residential).occupants)
        var assigned = 0
        for (index, (kind, share)) in mix.enumerated() {
            let count = index == mix.count - 1 ? buildingTiles - assigned : Int(Double(buildingTiles) * share)
            for _ in 0..<count {
                let density = kind == .residential ? residentialDensity : 0.02 + 0.04 * random.unit()
                level.placements.append((.building(kind, density: density), blockTiles[cursor].0, blockTiles[cursor].1))
                cursor += 1
            }
            assigned += count
        }
        // Bus stops every 12 tiles along streets.
        for y in stride(from: 0, to: side, by: 12) where y != metroRow {
            for x in stride(from: 4, to: side, by: 12) where x != metroColumn { level.placements.append((.busStop, x, y)) }
        }
        return level
    }
}
