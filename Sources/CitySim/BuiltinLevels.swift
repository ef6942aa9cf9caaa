// BuiltinLevels.swift — finding levels by name, and the generated reference city.
//   sandbox    Levels/sandbox.toml, a mid-size starter town on 64 × 64 tiles (the default)
//   reference  a seeded 256 × 256 city for benchmarks, sized as a plausible Chinese city:
//              ≈ 31,000 buildings, 200,000 citizens, 128 power plants (nuclear baseload),
//              5,000 green tiles, one connected street and power grid (also `[map.generator]`)
//   reference-64, -128, -512  the same city on another side, its content in proportion to the
//              area (`netzero bench sim --scaling`)
import ECS

public enum BuiltinLevels {
    public static let names = ["sandbox", "reference"]
    /// Sides the reference generator takes (`reference-SIDE`); 256 is the benchmark city itself.
    public static let referenceSizes = [64, 128, 256, 512]
    public static let referenceDefaultSize = 256

    /// The side named by `reference` (256) or `reference-SIDE` (one of `referenceSizes`); nil for any other name.
    public static func referenceSize(_ name: String) -> Int? {
        if name == "reference" { return referenceDefaultSize }
        guard name.hasPrefix("reference-"), let side = Int(name.dropFirst("reference-".count)), referenceSizes.contains(side) else { return nil }
        return side
    }

    /// The level name of the reference city on `side` tiles: `reference` for the default size.
    public static func referenceName(size side: Int) -> String {
        side == referenceDefaultSize ? "reference" : "reference-\(side)"
    }

    /// A level by path (`….toml`), by the name of the generated `reference`, or by a name that
    /// `LevelIndex.find` resolves among the shipped levels, the player's (`userLevels`) and the
    /// mods' (the shipped mods and `userMods`). `seed` replaces the level's own seed.
    public static func load(_ nameOrPath: String, seed: UInt64? = nil, catalog: Catalog,
                            userLevels: String? = nil, userMods: String? = nil) -> LevelLoadResult {
        var result: LevelLoadResult
        if let side = referenceSize(nameOrPath) {
            let setup = reference(seed: seed ?? 3060, catalog: catalog, side: side)
            var level = LevelDefinition(setup: setup, file: nameOrPath)
            level.title = side == referenceDefaultSize ? Names(en: "Reference city", zh: "参考城市")
                : Names(en: "Reference city \(side) × \(side)", zh: "参考城市 \(side) × \(side)")
            result = LevelLoadResult(level: level, diagnostics: [])
        } else {
            switch nameOrPath.hasSuffix(".toml") ? .found(nameOrPath) : LevelIndex.find(nameOrPath, in: LevelIndex.list(userLevels: userLevels, userMods: userMods).levels) {
            case .found(let path):
                result = LevelFile.load(path: path, catalog: catalog)
            case .notFound where FileSystem.exists(nameOrPath) && !FileSystem.isDirectory(nameOrPath):
                result = LevelFile.load(path: nameOrPath, catalog: catalog)
            case .notFound(let message), .ambiguous(let message):
                result = LevelLoadResult(level: nil, diagnostics: [LevelDiagnostic(file: nameOrPath, line: 0, column: 0,
                                                                                 severity: .error, message: message)])
            }
        }
        if let seed { result.level?.setup.info.seed = seed }
        return result
    }

    /// The benchmark city: a plausible Chinese city of about 200,000 people on 256 × 256 tiles
    /// (docs/simulation.md, "The reference city"). Streets every 4 tiles leave 3 × 3 blocks; each
    /// block tile is a building, a plant or a green zone drawn from the seed. Two metro lines
    /// run through the blocks (row 126, column 130) and stop 8 tiles short of the map's edges,
    /// so that the street grid — and with it the power grid — stays one connected network.
    /// What the city is sized on (each a target, measured in docs/simulation.md):
    ///   residents      `residents` at the starting 90% occupancy;
    ///   jobs           0.55 per resident;
    ///   electricity    ≈ 6,500 kWh per resident a year, split as China's consumption is
    ///                  (CEC 2022: industry 66%, services 17.2%, homes 15.5%, farming 1.3%);
    ///                  each kind's densities follow from its catalog kWh and jobs per building;
    ///   power          one 125 MW nuclear unit as baseload under a mean load of ≈ 150 MW,
    ///                  coal and gas above it, wind, solar, hydro and waste-to-energy.
    /// On another `side` (a multiple of 16: 64, 128, 512 for `bench sim --scaling`) every count —
    /// residents, plants, stores, green tiles, the budget — scales with the area, (side / 256)²,
    /// rounded; a city keeps at least one coal and one gas unit so that its grid has firm power
    /// (the 64 and 128 cities have no nuclear unit: a quarter of one rounds to none).
    public static func reference(seed: UInt64 = 3060, catalog: Catalog, side: Int = 256, residents: Int? = nil) -> LevelSetup {
        let areaScale = Double(side * side) / Double(referenceDefaultSize * referenceDefaultSize)
        func scaled(_ count: Int) -> Int { Int((Double(count) * areaScale).rounded()) }
        let residents = residents ?? scaled(200_000)
        let id = referenceName(size: side)
        var level = LevelSetup(info: LevelInfo(id: id, title: side == referenceDefaultSize ? "Reference city" : "Reference city \(side) × \(side)", seed: seed),
                               width: side, height: side, budget: 50_000_000_000 * areaScale)
        var random = SeededRandom(seed: seed)
        // Metro lines just off the centre, on block tiles (side / 2 is a multiple of 4, a street).
        let metroColumn = side / 2 + 2, metroRow = side / 2 - 2, metroEnds = 8..<(side - 8)
        func isMetro(_ x: Int, _ y: Int) -> Bool { (y == metroRow && metroEnds.contains(x)) || (x == metroColumn && metroEnds.contains(y)) }
        for y in 0..<side {
            for x in 0..<side where (x % 4 == 0 || y % 4 == 0) && !isMetro(x, y) { level.placements.append((.road, x, y)) }
        }
        for i in metroEnds {
            level.placements.append((.rail, metroColumn, i))
            if i != metroColumn { level.placements.append((.rail, i, metroRow)) }
        }
        for i in stride(from: 14, to: side - 8, by: 16) {
            level.placements.append((.metroStation, metroColumn, i))
            level.placements.append((.metroStation, i, metroRow))
        }
        var blockTiles: [(Int, Int)] = []
        for y in 0..<side where y % 4 != 0 {
            for x in 0..<side where x % 4 != 0 && !isMetro(x, y) { blockTiles.append((x, y)) }
        }
        // Seeded shuffle (Fisher–Yates) decides which block tile gets what.
        for i in stride(from: blockTiles.count - 1, to: 0, by: -1) {
            let j = Int(random.next() % UInt64(i + 1))
            blockTiles.swapAt(i, j)
        }
        // Plants for a mean load of ≈ 150 MW: nuclear first in the merit order, coal and gas above
        // it; wind ≈ 10% and solar ≈ 5% of the energy (China 2023: wind 9.4%, solar 6.2%, CEC).
        let plantMix: [(PlantKind, Int)] = [(.nuclear, 1), (.coal, 3), (.gas, 2), (.hydro, 1), (.wind, 20), (.solar, 100), (.waste, 1)]
        var cursor = 0
        for (kind, count) in plantMix {
            let firm = kind == .coal || kind == .gas
            for _ in 0..<(firm ? max(1, scaled(count)) : scaled(count)) {
                level.placements.append((.plant(kind), blockTiles[cursor].0, blockTiles[cursor].1))
                cursor += 1
            }
        }
        for (kind, count) in [(StorageKind.battery, 2), (.pumpedHydro, 1)] {
            for _ in 0..<scaled(count) { level.placements.append((.storage(kind), blockTiles[cursor].0, blockTiles[cursor].1)); cursor += 1 }
        }
        let zoneKinds: [ZoneKind] = [.forest, .forest, .park, .wetland, .farmland]
        for k in 0..<scaled(5000) {
            level.placements.append((.zone(zoneKinds[k % zoneKinds.count]), blockTiles[cursor].0, blockTiles[cursor].1))
            cursor += 1
        }
        let buildingTiles = blockTiles.count - cursor
        let people = Double(residents)
        let kWhPerPerson = 6_500.0, hours = 8_760.0
        /// Full-size buildings of a kind that draw `kWh` a year at their catalog base load.
        func fullSize(_ kind: BuildingKind, kWh: Double) -> Double { kWh / (catalog.building(kind).electricityBase * hours) }
        let factories = fullSize(.industrial, kWh: 0.66 * kWhPerPerson * people)
        let farms = fullSize(.farm, kWh: 0.013 * kWhPerPerson * people)
        let schools = people * catalog.services.schoolAgeShare / max(1, catalog.building(.school).students)
        let hospitals = people * catalog.services.bedsPerPerson / max(1, catalog.building(.hospital).beds)
        // Data centres ≈ 3% of the electricity (design: the order of China's data-centre share).
        let dataCentres = fullSize(.datacenter, kWh: 0.03 * kWhPerPerson * people)
        // Shops and offices take the rest of the jobs and of the services' electricity:
        //   shopJobs + officeJobs = jobs left;  shopJobs × kWh/shop job + officeJobs × kWh/office job = kWh left.
        func jobs(_ kind: BuildingKind, _ full: Double) -> Double { full * catalog.building(kind).jobs }
        func kWh(_ kind: BuildingKind, _ full: Double) -> Double { full * catalog.building(kind).electricityBase * hours }
        let jobsLeft = 0.55 * people - jobs(.industrial, factories) - jobs(.farm, farms) - jobs(.school, schools)
            - jobs(.hospital, hospitals) - jobs(.datacenter, dataCentres)
        let servicesKWhLeft = (0.172 - 0.03) * kWhPerPerson * people - kWh(.school, schools) - kWh(.hospital, hospitals)
        let perShopJob = catalog.building(.commercial).electricityBase * hours / catalog.building(.commercial).jobs
        let perOfficeJob = catalog.building(.office).electricityBase * hours / catalog.building(.office).jobs
        let shopJobs = min(max(0, jobsLeft), max(0, (servicesKWhLeft - perOfficeJob * jobsLeft) / (perShopJob - perOfficeJob)))
        let fullBuildings: [BuildingKind: Double] = [
            .industrial: factories, .farm: farms, .school: schools, .hospital: hospitals, .datacenter: dataCentres,
            .commercial: shopJobs / catalog.building(.commercial).jobs,
            .office: (jobsLeft - shopJobs) / catalog.building(.office).jobs,
        ]
        let mix: [(BuildingKind, Double)] = [(.residential, 0.45), (.commercial, 0.15), (.office, 0.08), (.industrial, 0.19),
                                             (.datacenter, 0.01), (.farm, 0.05), (.school, 0.045), (.hospital, 0.015)]
        let residentialCount = Int(Double(buildingTiles) * 0.45)
        // Home density chosen so that the starting 90% occupancy houses `residents`.
        let residentialDensity = (people + 500 * areaScale) / 0.9 / (Double(residentialCount) * catalog.building(.residential).occupants)
        var assigned = 0
        for (index, (kind, share)) in mix.enumerated() {
            let count = index == mix.count - 1 ? buildingTiles - assigned : Int(Double(buildingTiles) * share)
            // Each building of a kind varies ±50% around the kind's mean density.
            let mean = kind == .residential ? residentialDensity : (fullBuildings[kind] ?? 0) / Double(max(1, count))
            for _ in 0..<count {
                let density = kind == .residential ? residentialDensity : mean * (0.5 + random.unit())
                level.placements.append((.building(kind, density: density), blockTiles[cursor].0, blockTiles[cursor].1))
                cursor += 1
            }
            assigned += count
        }
        // Bus stops every 12 tiles along streets.
        for y in stride(from: 0, to: side, by: 12) {
            for x in stride(from: 4, to: side, by: 12) where !isMetro(x, y) { level.placements.append((.busStop, x, y)) }
        }
        return level
    }
}
