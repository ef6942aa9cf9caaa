// OutOfTownTripsTests — residents' road trips out of town, split at the city's boundary, and the
// labour force that decides how many residents commute.
import CitySim
import ECS
import Foundation
import Testing

@Suite("Trips out of town and the labour force")
struct OutOfTownTripsTests {
    /// A 41 × 41 map with one home block on the west edge and one at the centre, 20 tiles (2 km)
    /// from every edge. A day books each block's residents × 40.1 / 365 trips of 68.1 km at
    /// 56.5 g/pkm: the edge block's all beyond the boundary (scope 3), the centre block's first
    /// 2 km on the city's roads (scope 1) and the other 66.1 km beyond.
    @Test func aTripOutOfTownIsTheCitysUpToTheEdgeOfTheMap() throws {
        var level = LevelSetup(info: LevelInfo(id: "edge", title: "Edge town", seed: 7, initialOccupancy: 0.9),
                               width: 41, height: 41, budget: 1e9)
        level.placements.append((.building(.residential, density: 0.5), 0, 20))
        level.placements.append((.building(.residential, density: 0.5), 20, 20))
        let city = City(level: level, catalog: testCatalog)
        city.run(hours: 24)
        let edge = entity(at: 0, 20, in: city), centre = entity(at: 20, 20, in: city)
        /// The block's two out-of-town lines (a line never booked is not listed).
        func lines(_ home: Entity) throws -> (inside: Flow?, beyond: Flow) {
            let lines = city.view.ledgerLines(home)
            return (lines.first { $0.line == .outOfTownTrips }?.flow, try #require(lines.first { $0.line == .outOfTownTripsBeyond }).flow)
        }
        func residents(of home: Entity) throws -> Double { Double(try #require(try city.world.get(Building.self, of: home)).residents) }
        let residents = try [edge, centre].map(residents(of:))
        let before = try [lines(edge), lines(centre)]
        let transboundaryBefore = city.view.ledger.thisYear.transboundaryTransport
        city.run(hours: 24)
        let after = try [lines(edge), lines(centre)]
        #expect(try [edge, centre].map(residents(of:)) == residents, "a steady day")
        #expect(residents.allSatisfy { $0 > 50 })

        let spec = testCatalog.trips.outOfTown
        #expect(abs(spec.tripsPerDay * 365 - 40.1) < 1e-9 && spec.meanKm == 68.1 && spec.factor == 56.5)
        for (block, insideKm) in [(0, 0.0), (1, 2.0)] {
            let trips = residents[block] * 40.1 / 365
            let inside = (after[block].inside?.yearQuantity ?? 0) - (before[block].inside?.yearQuantity ?? 0)
            let beyond = after[block].beyond.yearQuantity - before[block].beyond.yearQuantity
            #expect(close(inside, trips * insideKm, tolerance: 1e-9), "block \(block): \(inside) pkm inside")
            #expect(close(beyond, trips * (68.1 - insideKm), tolerance: 1e-9), "block \(block): \(beyond) pkm beyond")
            #expect(close(after[block].beyond.yearTonnes - before[block].beyond.yearTonnes, beyond * 56.5 / 1e6))
            #expect(after[block].beyond.scope == .outsideCity && after[block].beyond.sector == .transport)
        }
        #expect(after[0].inside == nil, "the edge block's trips leave the city at once")
        let centreInside = try #require(after[1].inside)
        #expect(centreInside.scope == .direct && close(centreInside.yearTonnes, centreInside.yearQuantity * 56.5 / 1e6))
        // The city's books: scope 3 of transport is exactly the blocks' beyond lines.
        let booked = city.view.ledger.thisYear.transboundaryTransport - transboundaryBefore
        let lines = after[0].beyond.yearTonnes - before[0].beyond.yearTonnes + after[1].beyond.yearTonnes - before[1].beyond.yearTonnes
        #expect(close(booked, lines), "\(booked) t booked, \(lines) t on the lines")
        #expect(city.view.ledger.thisYear.net < city.view.ledger.thisYear.netIncludingScope3)
    }

    /// With more jobs than residents, the employed are the labour force: about the catalog's
    /// employment rate of the residents (each newcomer joins with that chance), never more than
    /// those who seek work, and nobody outside the labour force holds a job.
    @Test func onlyTheLabourForceTakesJobs() {
        let city = stripTown([(.building(.residential, density: 1), 0, 0), (.building(.residential, density: 1), 1, 0),
                              (.building(.office, density: 1), 4, 0), (.building(.office, density: 1), 5, 0),
                              (.building(.office, density: 1), 6, 0), (.plant(.hydro), 10, 0)])
        city.run(hours: 48)
        var residents = 0, seekers = 0, employed = 0, employedNonSeekers = 0
        city.view.forEachCitizen { _, citizen in
            residents += 1
            if citizen.seeksWork { seekers += 1 }
            if citizen.isEmployed { employed += 1 }
            if citizen.isEmployed && !citizen.seeksWork { employedNonSeekers += 1 }
        }
        let rate = testCatalog.services.employmentRate
        #expect(rate == 0.504)
        #expect(residents > 400 && city.view.stats.jobs > residents, "\(residents) residents, \(city.view.stats.jobs) jobs")
        #expect(employedNonSeekers == 0)
        #expect(employed == seekers, "with jobs to spare every seeker works: \(employed) of \(seekers)")
        // A binomial draw of n residents at p = 0.504: within 4 standard deviations.
        let deviation = 4 * (Double(residents) * rate * (1 - rate)).squareRoot()
        #expect(abs(Double(seekers) - Double(residents) * rate) < deviation, "\(seekers) of \(residents) seek work")
        #expect(city.view.stats.employed == employed)
    }
}
