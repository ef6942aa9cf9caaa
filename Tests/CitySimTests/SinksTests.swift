// SinksTests — green zones follow their growth curves and release carbon when lost.
import CitySim
import Foundation
import ECS
import Testing

@Suite("Green zones")
struct SinksTests {
    @Test func forestRemovalsFollowTheCurve() throws {
        // Saplings (a starting age of 0) follow the curve from its start.
        let city = stripTown([(.zone(.forest), 0, 0), (.zone(.park), 1, 0)], occupancy: 0, greenAge: 0)
        city.overrideWeather(WeatherOverride(drought: false))
        let forest = entity(at: 0, 0, in: city)
        let spec = testCatalog.zone(.forest)
        let days = 400
        city.run(hours: days * 24)
        let zone = try #require(city.view.zone(forest))
        // Every zone grows once a day by a whole day, so after `days` days its age is days × 24 h
        // and its stock is the curve's integral over that age.
        #expect(zone.ageHours == Double(days * 24))
        let expected = Sinks.growth(spec, fromHours: 0, toHours: Double(days * 24)) * spec.areaHa
        #expect(close(zone.stock, expected), "stock \(zone.stock) vs curve \(expected)")
        // Young trees absorb little: the first year's removal is far below the mature rate.
        #expect(expected < 0.5 * spec.maxRemoval * spec.areaHa * Double(days) / 365)
        // Removals are booked as negative tonnes, in the land-sinks sector, summing to the stock.
        let lines = city.view.ledgerLines(forest)
        let booked = lines.filter { $0.line == .primary }.reduce(0.0) { $0 + $1.lifetime }
        #expect(close(-booked, zone.stock))
    }

    @Test func growthCurveShape() {
        let spec = testCatalog.zone(.forest)
        let young = Sinks.removalRate(spec, ageYears: 1)
        let middle = Sinks.removalRate(spec, ageYears: spec.growthMidpoint)
        let mature = Sinks.removalRate(spec, ageYears: spec.maturityAge)
        #expect(young < middle && middle < mature)
        #expect(close(middle, spec.maxRemoval / 2))
        #expect(close(mature, spec.maxRemoval * 0.95))
        // The stock saturates: growth far past maturity would exceed max_stock, which caps it.
        let unbounded = Sinks.growth(spec, fromHours: 0, toHours: 200 * Sinks.hoursPerYear)
        #expect(unbounded > spec.maxStock)
    }

    @Test func demolishingAForestReleasesItsStock() throws {
        let city = stripTown([(.zone(.forest), 0, 0)], occupancy: 0)
        city.overrideWeather(WeatherOverride(drought: false))
        city.run(hours: 24 * 365)
        let forest = entity(at: 0, 0, in: city)
        let stock = try #require(city.view.zone(forest)).stock
        let before = city.view.ledger.thisYear.tally.tonnes(.landSinks, .direct)
        city.submit(.demolish(x: 0, y: 0))
        city.run(hours: 1)
        let after = city.view.ledger.thisYear.tally.tonnes(.landSinks, .direct)
        let release = stock * testCatalog.zone(.forest).releaseOnDemolition
        #expect(close(after - before, release))
        #expect(city.view.zone(forest) == nil)
    }

    @Test func droughtSlowsGrowth() throws {
        let wet = stripTown([(.zone(.forest), 0, 0)], occupancy: 0, greenAge: 0)
        let dry = stripTown([(.zone(.forest), 0, 0)], occupancy: 0, greenAge: 0)
        wet.overrideWeather(WeatherOverride(drought: false))
        dry.overrideWeather(WeatherOverride(drought: true))
        wet.run(hours: 24 * 60)
        dry.run(hours: 24 * 60)
        let wetStock = try #require(wet.view.zone(entity(at: 0, 0, in: wet))).stock
        let dryZone = try #require(dry.view.zone(entity(at: 0, 0, in: dry)))
        if dryZone.burns == 0 {
            #expect(close(dryZone.stock, wetStock * (1 - testCatalog.zone(.forest).droughtLoss)))
        } else {
            #expect(dryZone.stock < wetStock)
        }
    }

    /// A level's starting zones are established: by default at their maturity age, holding the
    /// curve's stock at that age. Forest (curve midpoint 5 y, maturity 12 y, peak 8 t/ha/yr):
    /// k = ln 19 / 7 = 0.4206; stock(12) = 8 / k × (ln(1 + e^(k·7)) − ln(1 + e^(−k·5))) = 54.8 t;
    /// the first day's removal is the curve's integral over that day ≈ 8 × 0.95 / 365.25 = 0.0208 t.
    @Test func startingZonesAreEstablishedAtMaturity() throws {
        let city = stripTown([(.zone(.forest), 0, 0)], occupancy: 0)
        city.overrideWeather(WeatherOverride(drought: false))
        let forest = entity(at: 0, 0, in: city)
        let spec = testCatalog.zone(.forest)
        let start = try #require(city.view.zone(forest))
        #expect(start.ageHours == spec.maturityAge * Sinks.hoursPerYear)
        let k = log(19.0) / (spec.maturityAge - spec.growthMidpoint)
        let handStock = spec.maxRemoval / k * (log1p(exp(k * (spec.maturityAge - spec.growthMidpoint))) - log1p(exp(-k * spec.growthMidpoint)))
        #expect(close(start.stock, handStock, tolerance: 1e-6), "\(start.stock) vs \(handStock)")
        city.run(hours: 24)
        let removed = city.view.ledger.thisYear.removals
        #expect(close(removed, Sinks.growth(spec, fromHours: start.ageHours, toHours: start.ageHours + 24), tolerance: 1e-9))
        #expect(removed > 0.9 * spec.maxRemoval / 365.25 && removed < spec.maxRemoval / 365.25)
        // Demolition releases the established stock, not a sapling's nothing.
        let stock = try #require(city.view.zone(forest)).stock
        city.submit(.demolish(x: 0, y: 0))
        city.run(hours: 1)
        #expect(close(city.view.ledger.thisYear.releases, stock * spec.releaseOnDemolition))
    }

    /// Forest terrain is forest land remaining forest land: 3 wooded tiles × 3.7 t/ha/yr ÷ 365.25
    /// = 0.0304 t a day; building a road on one of them releases its 220 t.
    @Test func forestTerrainIsASmallSinkAndReleasesItsStockWhenCleared() throws {
        var level = LevelSetup(info: LevelInfo(id: "t", title: "t", seed: 1, initialOccupancy: 0), width: 6, height: 3, budget: 1e12)
        for x in 0..<3 { level.terrain.append((x, 0, .forest)) }
        let city = City(level: level, catalog: testCatalog)
        let land = testCatalog.forestLand
        city.run(hours: 24 * 3)
        // The forest is counted when the level starts, so each of the three days books the removal.
        let perDay = 3 * land.removal * land.areaHa / 365.25
        #expect(close(city.view.ledger.thisYear.removals, 3 * perDay, tolerance: 1e-9), "\(city.view.ledger.thisYear.removals)")
        city.submit(.build(.road, x: 0, y: 0))
        city.run(hours: 24)
        #expect(close(city.view.ledger.thisYear.releases, land.stock * land.areaHa * land.releaseOnClearing))
        #expect(close(city.view.ledger.thisYear.removals, 3 * perDay + 2 * land.removal * land.areaHa / 365.25, tolerance: 1e-9))
    }

    /// A tile cleared before the game's first hour (a paused start) releases its stock too.
    @Test func forestClearedBeforeTheFirstHourReleasesItsStock() throws {
        var level = LevelSetup(info: LevelInfo(id: "t", title: "t", seed: 1, initialOccupancy: 0), width: 6, height: 3, budget: 1e12)
        for x in 0..<3 { level.terrain.append((x, 0, .forest)) }
        let city = City(level: level, catalog: testCatalog)
        let land = testCatalog.forestLand
        city.submit(.build(.road, x: 1, y: 0))
        city.run(hours: 24)
        #expect(close(city.view.ledger.thisYear.releases, land.stock * land.areaHa * land.releaseOnClearing), "\(city.view.ledger.thisYear.releases)")
        #expect(close(city.view.ledger.thisYear.removals, 2 * land.removal * land.areaHa / 365.25, tolerance: 1e-9), "the two tiles left standing")
    }
}
