// Economy.swift — the budget, population, jobs, air quality and happiness.
//
// Phase simulate, "economy.budget" (hourly): fuel bought by the plants dispatched this hour and
//   plants' and zones' fixed costs; buildings are billed a day at a time, one 24th of them each
//   hour (taxes from residents and from workers, scaled by the power served since a blackout
//   stops work; maintenance), and the census of people and jobs is taken over the same day.
// Phase simulate, "economy.daily" (at 00:00): air quality, happiness and migration.
//   - Air quality is local combustion pollution, a field separate from CO2: each tile's
//     emissions (plant stacks, road traffic) are spread by a box model (mixing height ×
//     dispersion width, today's wind) and smoothed over neighbouring tiles, on top of the
//     regional background.
//   - Happiness (0…1) weighs jobs, commute time, air, services and green space (catalog
//     weights), times a reliability factor that falls with blackout hours.
//   - Migration: the population moves towards what happiness and vacant jobs attract, at most
//     the catalog's growth rate per year; newcomers take free homes and the nearest of a few
//     seeded vacant jobs, leavers go newest first.
import ECS
import Foundation

public struct Budget: Sendable, Equatable, SavedResource {
    /// yuan
    public var balance: Double
    public var incomeThisYear = 0.0
    public var spendingThisYear = 0.0
    public init(balance: Double) { self.balance = balance }

    mutating func earn(_ yuan: Double) {
        balance += yuan
        incomeThisYear += yuan
    }

    mutating func spend(_ yuan: Double) {
        balance -= yuan
        spendingThisYear += yuan
    }
}

public struct CityStats: Sendable, Equatable, SavedResource {
    /// The last complete census (taken over each day's slices of buildings).
    var census = Census()
    public var population: Int { census.population }
    public var jobs: Int { census.jobs }
    public var employed: Int { census.employed }
    public var schoolPlaces: Double { census.schoolPlaces }
    public var hospitalBeds: Double { census.hospitalBeds }
    public var happiness = 0.5
    /// Population-weighted PM2.5-equivalent, µg/m3.
    public var airQuality = 0.0
    public var greenTiles = 0
    public var meanCommuteMinutes = 0.0
    /// Served share of electricity demand over the last day.
    public var reliability = 1.0
    var censusInProgress = Census()
    var migrationCarry = 0.0
    var servedToday = 0.0
    var demandToday = 0.0
}

/// Counts gathered over a day's slices of buildings.
struct Census: Sendable, Equatable, Codable {
    var population = 0
    var jobs = 0
    var employed = 0
    var schoolPlaces = 0.0
    var hospitalBeds = 0.0

    mutating func count(_ building: Building, _ capacities: BuildingCapacities) {
        if building.kind == .residential {
            population += Int(building.residents)
            return
        }
        let k = Int(building.kind.rawValue)
        jobs += Int(building.capacity(capacities))
        employed += Int(building.workers)
        schoolPlaces += capacities.schoolPlaces[k] * building.density
        hospitalBeds += capacities.hospitalBeds[k] * building.density
    }
}

/// Per-tile air pollution (PM2.5-equivalent, µg/m3), recomputed daily.
public struct AirQualityField: Sendable, SavedResource {
    public var concentration: [Float]
    var emissionsToday: [Float]
    public init(tiles: Int) {
        concentration = Array(repeating: 0, count: tiles)
        emissionsToday = concentration
    }
}

/// The level's identity and seed.
public struct LevelInfo: Sendable, Equatable, SavedResource {
    public var id: String
    public var title: String
    public var seed: UInt64
    public var startYear: Int
    /// Share of home capacity filled when the level starts.
    public var initialOccupancy: Double
    /// Age of the starting green zones, years (nil: each kind's maturity age; Sinks.swift).
    public var greenAgeYears: Double? = nil
    public init(id: String, title: String, seed: UInt64, startYear: Int = 2020, initialOccupancy: Double = 0.9) {
        self.id = id
        self.title = title
        self.seed = seed
        self.startYear = startYear
        self.initialOccupancy = initialOccupancy
    }
}

public enum Economy: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.resource("budget", Budget.self) { Budget(balance: $0.level.budget) }
        sim.resource("budget_book", BudgetBook.self) { BudgetBook(startingIn: $0.clock.year) }
        sim.resource("stats", CityStats.self) { _ in CityStats() }
        sim.resource("air", AirQualityField.self) { AirQualityField(tiles: $0.level.width * $0.level.height) }
        sim.resource("fuel_market", MarketConditions.self) { _ in MarketConditions() }
        sim.system("economy.budget", Phase.simulate, reads: [Building.self, PowerPlant.self, StorageUnit.self, GreenZone.self, TilePosition.self],
                   readsResources: [Catalog.self, Clock.self, PowerGrid.self, MarketConditions.self, Policies.self, TileMap.self,
                                    CitizenCarbonAccounts.self],
                   writesResources: [Budget.self, BudgetBook.self, CityStats.self, AirQualityField.self, AdoptionState.self],
                   after: ["grid.attribute"], run: budget)
        sim.system("economy.daily", Phase.simulate, reads: [Building.self, TilePosition.self, PowerPlant.self, GreenZone.self],
                   writes: [Citizen.self, Commute.self, PrimaryLine.self, ElectricityLine.self],
                   readsResources: [Catalog.self, Clock.self, TileMap.self, TransportState.self, PowerGrid.self, Policies.self, BuildingLoadBook.self,
                                    Weather.self, LevelInfo.self, AdoptionState.self, CommuteBook.self],
                   writesResources: [CityStats.self, AirQualityField.self, Budget.self, BudgetBook.self, Ledger.self, CommuteTotals.self,
                                     CitizenCarbonAccounts.self],
                   after: ["economy.budget"], runsLong: { Economy.isDailyRun($0.resource(Clock.self)!) }, run: daily)
    }

    static func budget(_ ctx: SystemContext) {
        let world = ctx.world
        let catalog = world.resource(Catalog.self)!
        let hoursPerYear = Sinks.hoursPerYear
        let kinds = BuildingKind.allCases.count
        var taxPerHour = [Double](repeating: 0, count: kinds)
        var maintenancePerHour = taxPerHour
        let specs = catalog.buildings
        for kind in BuildingKind.allCases {
            taxPerHour[Int(kind.rawValue)] = specs[Int(kind.rawValue)].tax / hoursPerYear
            maintenancePerHour[Int(kind.rawValue)] = specs[Int(kind.rawValue)].maintenance / hoursPerYear
        }
        var income = 0.0, spending = 0.0
        // The same amounts by line for the budget book (the balance keeps its own sums above, so
        // its bytes, which the replays hash, are as they were).
        var taxByKind = [Double](repeating: 0, count: kinds), upkeepByKind = taxByKind
        // Buildings are billed a day at a time, one 24th of them each hour; the census rides
        // along and is published when the last slice of the day is done.
        let clock = world.resource(Clock.self)!
        var census = world.resource(CityStats.self)!.censusInProgress
        if clock.hour == 0 { census = Census() }
        let capacities = BuildingCapacities(catalog)
        let grid = world.resource(PowerGrid.self)!
        world.query(Read<Building>.self).forEach(slice: clock.hour, of: 24) { building in
            let k = Int(building.kind.rawValue)
            census.count(building, capacities)
            let tax = 24 * taxPerHour[k] * (building.kind == .residential ? Double(building.residents)
                                                                           : Double(building.workers) * grid.servedShare(island: Int(building.island)))
            let upkeep = 24 * maintenancePerHour[k] * building.density
            income += tax
            spending += upkeep
            taxByKind[k] += tax
            upkeepByKind[k] += upkeep
        }
        var fuelByPlant = [Double](repeating: 0, count: PlantKind.allCases.count), fixedByPlant = fuelByPlant
        var storageUpkeep = [Double](repeating: 0, count: StorageKind.allCases.count)
        var zoneUpkeep = [Double](repeating: 0, count: ZoneKind.allCases.count)
        var ccusCaptured = 0.0
        let market = world.resource(MarketConditions.self) ?? MarketConditions()
        let map = world.resource(TileMap.self)!
        world.withResource(AirQualityField.self) { air in
            world.query(Read<PowerPlant>.self, Read<TilePosition>.self).forEach { plant, position in
                let spec = catalog.plants[Int(plant.kind.rawValue)]
                let fuel = plant.outputKW * spec.fuelCost * catalog.ccusFuelMultiplier(plant.kind, hasCCUS: plant.hasCCUS)
                    * market.fuelPriceMultiplier
                spending += fuel + spec.fixedOM / hoursPerYear
                fuelByPlant[Int(plant.kind.rawValue)] += fuel
                fixedByPlant[Int(plant.kind.rawValue)] += spec.fixedOM / hoursPerYear
                ccusCaptured += plant.capturedTonnes
                // Local air pollution emitted this hour, by tile.
                air.emissionsToday[map.index(Int(position.x), Int(position.y))] += Float(plant.outputKW * spec.airPollution)
            }
        }
        spending += ccusCaptured * catalog.ccus.storageCost
        world.query(Read<StorageUnit>.self).forEach { unit in
            spending += catalog.storage[Int(unit.kind.rawValue)].fixedOM / hoursPerYear
            storageUpkeep[Int(unit.kind.rawValue)] += catalog.storage[Int(unit.kind.rawValue)].fixedOM / hoursPerYear
        }
        var greenTiles = 0
        var zoneMaintenance = [Double](repeating: 0, count: ZoneKind.allCases.count)
        for kind in ZoneKind.allCases { zoneMaintenance[Int(kind.rawValue)] = catalog.zone(kind).maintenance / hoursPerYear }
        world.query(Read<GreenZone>.self).forEach { zone in
            spending += zoneMaintenance[Int(zone.kind.rawValue)]
            zoneUpkeep[Int(zone.kind.rawValue)] += zoneMaintenance[Int(zone.kind.rawValue)]
            greenTiles += 1
        }
        let sponsored = CarbonAccounts.sponsoredUpkeepPerHour(world: world, catalog: catalog)  // forests planted from points
        spending -= sponsored
        world.withResource(Budget.self) { budget in
            budget.earn(income)
            budget.spend(spending)
        }
        for kind in BuildingKind.allCases {
            world.book(.tax(kind), taxByKind[Int(kind.rawValue)])
            world.book(.buildingUpkeep(kind), -upkeepByKind[Int(kind.rawValue)])
        }
        for kind in PlantKind.allCases {
            world.book(.plantFuel(kind), -fuelByPlant[Int(kind.rawValue)])
            world.book(.plantUpkeep(kind), -fixedByPlant[Int(kind.rawValue)])
        }
        for kind in StorageKind.allCases { world.book(.storageUpkeep(kind), -storageUpkeep[Int(kind.rawValue)]) }
        for kind in ZoneKind.allCases { world.book(.zoneUpkeep(kind), -zoneUpkeep[Int(kind.rawValue)]) }
        world.book(.captureStorage, -ccusCaptured * catalog.ccus.storageCost)
        world.book(.sponsoredUpkeep, sponsored)
        world.withResource(CityStats.self) { stats in
            stats.servedToday += grid.totalDelivered
            stats.demandToday += grid.demandKWh.reduce(0, +)
            stats.greenTiles = greenTiles
            stats.censusInProgress = census
            if clock.hour == 23 { stats.census = census }
        }
    }

    /// A full census at once (when a level starts; afterwards it is taken over each day).
    static func takeCensus(world: World) {
        let catalog = world.resource(Catalog.self)!
        var census = Census()
        var greenTiles = 0
        let capacities = BuildingCapacities(catalog)
        world.query(Read<Building>.self).forEach { census.count($0, capacities) }
        world.query(Read<GreenZone>.self).forEach { _ in greenTiles += 1 }
        world.withResource(CityStats.self) { stats in
            stats.census = census
            stats.greenTiles = greenTiles
        }
    }

    /// The day's work runs at midnight, from the second day on (the first tick opens the level).
    static func isDailyRun(_ clock: Clock) -> Bool { clock.isNewDay && clock.tick > 0 }

    static func daily(_ ctx: SystemContext) {
        let world = ctx.world
        let clock = world.resource(Clock.self)!
        guard isDailyRun(clock) else { return }
        let catalog = world.resource(Catalog.self)!
        let map = world.resource(TileMap.self)!
        let weather = world.resource(Weather.self)!
        let transport = world.resource(TransportState.self)!
        updateAir(world: world, catalog: catalog, map: map, weather: weather, transport: transport)

        var airWeighted = 0.0, airWeight = 0.0
        let air = world.resource(AirQualityField.self)!
        world.query(Read<Building>.self, Read<TilePosition>.self).forEach { building, position in
            guard building.kind == .residential, building.residents > 0 else { return }
            airWeighted += Double(air.concentration[map.index(Int(position.x), Int(position.y))]) * Double(building.residents)
            airWeight += Double(building.residents)
        }
        let weights = catalog.economy.happinessWeights
        world.withResource(CityStats.self) { stats in
            let population = stats.population, employed = stats.employed, greenTiles = stats.greenTiles
            let schoolPlaces = stats.schoolPlaces, hospitalBeds = stats.hospitalBeds
            stats.airQuality = airWeight > 0 ? airWeighted / airWeight : catalog.air.nationalPM25 * catalog.air.backgroundShare
            stats.meanCommuteMinutes = transport.commuteCount > 0 ? transport.commuteMinutesTotal / transport.commuteCount : 0
            stats.reliability = stats.demandToday > 0 ? stats.servedToday / stats.demandToday : 1
            stats.servedToday = 0
            stats.demandToday = 0
            let p = Double(max(1, population))
            let needs = catalog.services
            let jobScore = needs.employmentRate > 0 ? min(1, Double(employed) / p / needs.employmentRate) : 1
            let commuteScore = 1 / (1 + stats.meanCommuteMinutes / 30)
            // 1 at the WHO guideline, 0 at twice the WHO first interim target.
            let airScore = min(1, max(0, 1 - (stats.airQuality - catalog.air.whoGuideline)
                / (2 * catalog.air.whoInterim - catalog.air.whoGuideline)))
            let serviceScore = (min(1, schoolPlaces / (p * needs.schoolAgeShare)) + min(1, hospitalBeds / (p * needs.bedsPerPerson))) / 2
            let greenScore = min(1, Double(greenTiles) * 10_000 / p / needs.greenSpacePerPerson)  // a tile is 10,000 m²
            let base = weights.jobs * jobScore + weights.commute * commuteScore + weights.air * airScore
                + weights.services * serviceScore + weights.green * greenScore
            let reliability = 1 - catalog.air.blackoutWeight * (1 - DeterministicMath.pow(stats.reliability, 4))
            stats.happiness = min(1, max(0, base * reliability))
        }
        migrate(world: world, catalog: catalog, clock: clock)
    }

    static func updateAir(world: World, catalog: Catalog, map: TileMap, weather: Weather, transport: TransportState) {
        let spec = catalog.air
        let carGrams = catalog.mode(.carPetrol).airPollution
        let background = spec.nationalPM25 * spec.backgroundShare
        let wind = max(1, weather.windSpeed)
        world.withResource(AirQualityField.self) { air in
            // Box model: µg/m3 = (g/day → µg/s) / (wind × mixing height × width).
            let toConcentration = 1e6 / 86_400 / (wind * spec.mixingHeight * spec.dispersionWidth)
            let width = map.width, height = map.height
            var field = [Float](repeating: 0, count: map.tileCount)
            var rows = field
            precondition(air.emissionsToday.count == field.count && air.concentration.count == field.count
                         && transport.tileFlowsYesterday.count == field.count)  // the save's validation holds them to the map
            // Through buffer pointers: the three passes below run once a day over every tile of
            // the map, inside the slice of a frame.
            field.withUnsafeMutableBufferPointer { field in
                rows.withUnsafeMutableBufferPointer { rows in
                    air.emissionsToday.withUnsafeMutableBufferPointer { emissions in
                        transport.tileFlowsYesterday.withUnsafeBufferPointer { flows in
                            for i in 0..<field.count {
                                let traffic = Double(flows[i]) * 0.1 * carGrams   // vehicle-km on a 100 m tile
                                field[i] = Float((Double(emissions[i]) + traffic) * toConcentration)
                                emissions[i] = 0
                            }
                        }
                    }
                    // Spread over the neighbourhood: a separable 3 × 3 box (rows, then columns),
                    // scaled so that a plume stays near its source. A tile's own value comes
                    // first in each sum, then its left (upper) and its right (lower) neighbour;
                    // the map's edges, which lack one, are summed apart, so that the inner loops
                    // have no branch and the compiler can run them several tiles at a time.
                    for y in 0..<height {
                        let row = y * width
                        if width == 1 { rows[row] = field[row] / 3; continue }
                        rows[row] = (field[row] + field[row + 1]) / 3
                        let here = field.baseAddress! + row, out = rows.baseAddress! + row
                        for x in 1..<(width - 1) { out[x] = (here[x] + here[x - 1] + here[x + 1]) / 3 }
                        rows[row + width - 1] = (field[row + width - 1] + field[row + width - 2]) / 3
                    }
                    for y in 0..<height {
                        let row = y * width
                        let here = rows.baseAddress! + row, out = field.baseAddress! + row
                        switch (y > 0, y + 1 < height) {
                        case (true, true):
                            let up = here - width, down = here + width
                            for x in 0..<width { out[x] = (here[x] + up[x] + down[x]) / 3 }
                        case (true, false):
                            let up = here - width
                            for x in 0..<width { out[x] = (here[x] + up[x]) / 3 }
                        case (false, true):
                            let down = here + width
                            for x in 0..<width { out[x] = (here[x] + down[x]) / 3 }
                        case (false, false):
                            for x in 0..<width { out[x] = here[x] / 3 }
                        }
                    }
                }
                air.concentration.withUnsafeMutableBufferPointer { concentration in
                    for i in 0..<field.count { concentration[i] = Float(background) + field[i] * 9 }
                }
            }
        }
    }

    /// What drives migration: vacant jobs and residents of the labour force out of work (each a
    /// share of the population), and the yearly rate people move in (> 0) or out at,
    /// capped at the catalog's growth rate. The game's demand bars show these figures.
    public static func migrationPull(_ stats: CityStats, catalog: Catalog) -> (vacancy: Double, unemployment: Double, rate: Double) {
        let economy = catalog.economy
        let vacancy = stats.population > 0 ? Double(stats.jobs - stats.employed) / Double(stats.population) : 0
        // Residents who look for work and have none, per resident.
        let unemployment = stats.population > 0 ? catalog.services.employmentRate - Double(stats.employed) / Double(stats.population) : 0
        let rate = economy.migrationHappiness * (stats.happiness - 0.5) * 2 + economy.migrationJobs * (vacancy - max(0, unemployment))
        return (vacancy, unemployment, min(economy.growthRateMax, max(-economy.growthRateMax, rate)))
    }

    static func migrate(world: World, catalog: Catalog, clock: Clock) {
        let stats = world.resource(CityStats.self)!
        let rate = migrationPull(stats, catalog: catalog).rate
        var carry = stats.migrationCarry + rate * Double(max(stats.population, 50)) / 365
        let movers = Int(carry.rounded(.towardZero))
        carry -= Double(movers)
        world.withResource(CityStats.self) { $0.migrationCarry = carry }
        if movers > 0 {
            Population.moveIn(world: world, count: movers, catalog: catalog, day: clock.dayIndex)
        } else if movers < 0 {
            Population.moveOut(world: world, count: -movers)
        }
    }
}
