// Population.swift — citizens moving in and out, finding homes and jobs.
//
// Newcomers fill free homes starting from a seeded position in the list of homes. A seeded share
// of them (the catalog's employment rate) joins the labour force, and each of those takes the
// nearest of a few seeded vacant jobs (a cheap stand-in for a job search). Leavers go from
// the end of the citizen list. Both are deterministic for a given level seed and day.
import ECS

public enum Population {
    static let jobCandidates = 6

    struct Vacancy {
        var entity: Entity
        var tile: Int32
        var x: Int32, y: Int32
        var free: Int32
    }

    static func vacancies(world: World, catalog: Catalog) -> [Vacancy] {
        var result: [Vacancy] = []
        let width = world.resource(TileMap.self)!.width
        let capacities = BuildingCapacities(catalog)
        world.query(Entity.self, Read<Building>.self, Read<TilePosition>.self).forEach { entity, building, position in
            guard building.kind != .residential else { return }
            let free = building.capacity(capacities) - building.workers
            if free > 0 {
                result.append(Vacancy(entity: entity, tile: position.y * Int32(width) + position.x, x: position.x, y: position.y, free: free))
            }
        }
        return result
    }

    /// Moves `count` citizens into free homes (deferred spawns through the command buffer).
    static func moveIn(world: World, count requested: Int, catalog: Catalog, day: Int64) {
        // Growth stops at the game's population limit (docs/security.md), however many homes are built.
        let count = min(requested, CityLimits.maximumPopulation - world.resource(CityStats.self)!.population)
        guard count > 0 else { return }
        let seed = world.resource(LevelInfo.self)!.seed
        let map = world.resource(TileMap.self)!
        let width = map.width
        let districtsWide = world.resource(TransportState.self)!.districtsWide
        var homes: [(entity: Entity, tile: Int32, free: Int32, island: Int32)] = []
        let capacities = BuildingCapacities(catalog)
        world.query(Entity.self, Read<Building>.self, Read<TilePosition>.self).forEach { entity, building, position in
            guard building.kind == .residential else { return }
            let free = building.capacity(capacities) - building.residents
            if free > 0 { homes.append((entity, position.y * Int32(width) + position.x, free, building.island)) }
        }
        guard !homes.isEmpty else { return }
        var jobs = vacancies(world: world, catalog: catalog)
        var homeIndex = Int(SeededRandom.unit(seed: seed ^ 0x4E57, UInt64(day)) * Double(homes.count))
        let evShare = world.resource(AdoptionState.self)?.evFleetShare ?? catalog.travel.evFleetShare  // rises with the EV subsidy
        let choice = CommuteChoice(world: world, catalog: catalog, clock: world.resource(Clock.self)!)
        let commuteBook = world.resource(CommuteBook.self)!
        var commutes: [Commute] = []
        commutes.reserveCapacity(count)
        var moved = 0
        var serial = UInt64(day) << 32
        while moved < count {
            var tries = 0
            while homes[homeIndex].free == 0 && tries < homes.count {
                homeIndex = (homeIndex + 1) % homes.count
                tries += 1
            }
            if homes[homeIndex].free == 0 { break }
            homes[homeIndex].free -= 1
            let home = homes[homeIndex]
            serial += 1
            let draw = { (salt: UInt64) in SeededRandom.unit(seed: seed ^ salt, serial) }
            var citizen = Citizen(home: home.entity, homeTile: home.tile)
            citizen.island = home.island
            citizen.hasCar = draw(0xCA7) < catalog.travel.carOwnership
            citizen.hasElectricCar = citizen.hasCar && draw(0xE7) < evShare
            citizen.seeksWork = draw(0x1AB0) < catalog.services.employmentRate
            // Job: the nearest of a few seeded vacancies.
            if citizen.seeksWork && !jobs.isEmpty {
                let hx = home.tile % Int32(width), hy = home.tile / Int32(width)
                var best = -1, bestDistance = Int32.max
                for k in 0..<jobCandidates {
                    let j = Int(draw(0x10B &+ UInt64(k)) * Double(jobs.count))
                    let d = abs(jobs[j].x - hx) + abs(jobs[j].y - hy)
                    if jobs[j].free > 0 && d < bestDistance { best = j; bestDistance = d }
                }
                if best >= 0 {
                    citizen.work = jobs[best].entity
                    citizen.workTile = jobs[best].tile
                    jobs[best].free -= 1
                    try? world.modify(Building.self, of: jobs[best].entity) { $0.workers += 1 }
                    if jobs[best].free == 0 { jobs.swapAt(best, jobs.count - 1); jobs.removeLast() }
                }
            }
            if citizen.isEmployed {
                citizen.access = Transport.access(homeTile: Int(citizen.homeTile), workTile: Int(citizen.workTile), map: map,
                                                  travel: catalog.travel, districtsWide: districtsWide)
            }
            try? world.modify(Building.self, of: home.entity) { $0.residents += 1 }
            let entity = world.commands.reserve()
            let commute = Commutes.first(for: citizen, entity: entity, book: commuteBook, choice: choice)
            citizen.show(commute)
            world.commands.spawn(reserved: entity, citizen, PrimaryLine(), ElectricityLine(), commute)
            commutes.append(commute)
            moved += 1
        }
        world.withResource(CommuteTotals.self) { totals in for commute in commutes { totals.add(commute, sign: 1) } }
    }

    /// Moves `count` citizens out, last in the citizen list first.
    static func moveOut(world: World, count: Int) {
        let leaving = world.query(Entity.self, Read<Citizen>.self).entities.suffix(count)
        for entity in leaving { City.removeCitizen(world: world, entity) }
    }

    /// Finds jobs for unemployed citizens (after a new workplace opens or one closes).
    static func matchUnemployed(world: World, catalog: Catalog) {
        var jobs = vacancies(world: world, catalog: catalog)
        guard !jobs.isEmpty else { return }
        let width = Int32(world.resource(TileMap.self)!.width)
        let seed = world.resource(LevelInfo.self)!.seed
        var hires: [(citizen: Entity, job: Int)] = []
        world.query(Entity.self, Read<Citizen>.self).forEach { entity, citizen in
            guard citizen.seeksWork, !citizen.isEmployed, !jobs.isEmpty else { return }
            let hx = citizen.homeTile % width, hy = citizen.homeTile / width
            var best = -1, bestDistance = Int32.max
            for k in 0..<jobCandidates {
                let j = Int(SeededRandom.unit(seed: seed ^ 0x10B, UInt64(entity.index), UInt64(k)) * Double(jobs.count))
                let d = abs(jobs[j].x - hx) + abs(jobs[j].y - hy)
                if jobs[j].free > 0 && d < bestDistance { best = j; bestDistance = d }
            }
            guard best >= 0 else { return }
            jobs[best].free -= 1
            hires.append((entity, best))
        }
        let map = world.resource(TileMap.self)!
        let districtsWide = world.resource(TransportState.self)!.districtsWide
        for (entity, j) in hires {
            try? world.modify(Citizen.self, of: entity) { citizen in
                citizen.work = jobs[j].entity
                citizen.workTile = jobs[j].tile
                citizen.access = Transport.access(homeTile: Int(citizen.homeTile), workTile: Int(jobs[j].tile), map: map,
                                                  travel: catalog.travel, districtsWide: districtsWide)
            }
            try? world.modify(Building.self, of: jobs[j].entity) { $0.workers += 1 }
        }
        Commutes.reconsider(world: world, hires.map(\.citizen))
    }
}
