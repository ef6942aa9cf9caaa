// BuiltinLevels.swift — the levels that exist without any level file:
//   sandbox    a mid-size starter town on 64 × 64 tiles (the default)
//   reference  a seeded 256 × 256 city for benchmarks: ≥ 30,000 buildings, 100,000 citizens,
//              60 power plants of mixed types, 5,000 green tiles
import ECS

public enum BuiltinLevels {
    public static let names = ["sandbox", "reference"]

    public static func named(_ name: String, seed: UInt64? = nil, catalog: Catalog) -> LevelSetup? {
        switch name {
        case "sandbox": return sandbox(seed: seed ?? 2060)
        case "reference": return reference(seed: seed ?? 3060, catalog: catalog)
        default: return nil
        }
    }

    /// A starter town: a river, a grid of streets, homes, jobs, a coal and a gas plant, some wind
    /// and solar, a battery, a forest and parks.
    public static func sandbox(seed: UInt64 = 2060) -> LevelSetup {
        var level = LevelSetup(info: LevelInfo(id: "sandbox", title: "Sandbox town", seed: seed), width: 64, height: 64,
                               budget: 2_000_000_000)
        for y in 0..<64 { for x in 54..<57 { level.terrain.append((x, y, .water)) } }
        for y in 0..<64 where y % 6 == 2 { for x in 0..<54 { level.placements.append((.road, x, y)) } }
        for x in 0..<54 where x % 6 == 2 { for y in 0..<64 where y % 6 != 2 { level.placements.append((.road, x, y)) } }
        // Blocks of 5 × 5 between the streets, named by block column and row.
        var blockIndex = 0
        for by in 0..<10 {
            for bx in 0..<8 {
                let x0 = bx * 6 + 3, y0 = by * 6 + 3
                guard y0 + 4 < 64, x0 + 4 < 54 else { continue }
                blockIndex += 1
                for dy in 0..<5 {
                    for dx in 0..<5 {
                        if let structure = sandboxTile(block: blockIndex, bx: bx, by: by, dx: dx, dy: dy) {
                            level.placements.append((structure, x0 + dx, y0 + dy))
                        }
                    }
                }
            }
        }
        // Bus stops on the middle street.
        for x in stride(from: 5, to: 54, by: 8) { level.placements.append((.busStop, x, 26)) }
        return level
    }

    private static func sandboxTile(block: Int, bx: Int, by: Int, dx: Int, dy: Int) -> Structure? {
        let edge = dx == 0 || dy == 0 || dx == 4 || dy == 4
        switch (bx, by) {
        case (0, 0): return dx == 2 && dy == 2 ? .plant(.coal) : (edge ? nil : .zone(.park))
        case (1, 0): return dx == 2 && dy == 2 ? .plant(.gas) : (dx == 0 && dy == 0 ? .storage(.battery) : nil)
        case (2, 0): return (dx == 2 && dy == 2) || (dx == 0 && dy == 0) ? .plant(.gas) : nil
        case (3, 0): return dx == 2 && dy == 2 ? .building(.datacenter, density: 0.3) : .building(.office, density: 0.3)
        case (6, _), (7, _):
            // Wind on the river side, solar beside it; a forest to the south.
            if by < 3 { return dy % 2 == 0 && dx % 2 == 0 ? .plant(.wind) : nil }
            if by < 5 { return .plant(.solar) }
            return .zone(.forest)
        case (_, 8), (_, 9): return by == 8 && bx < 2 ? .zone(.farmland) : .zone(.forest)
        default: break
        }
        switch (bx + by * 3) % 9 {
        case 0, 1, 3, 5, 7:
            return edge ? .building(.residential, density: 0.3) : .zone(.park)
        case 2: return edge ? .building(.commercial, density: 0.5) : .building(.office, density: 0.4)
        case 4: return dx == 2 && dy == 2 ? .building(.school) : .building(.industrial, density: 0.15)
        case 6: return dx == 2 && dy == 2 ? .building(.hospital, density: 0.5) : (edge ? .building(.residential, density: 0.3) : .building(.farm))
        default: return dx == 2 && dy == 2 ? .building(.office, density: 0.5) : .building(.commercial, density: 0.3)
        }
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
