// SinksTests — green zones follow their growth curves and release carbon when lost.
import CitySim
import ECS
import Testing

@Suite("Green zones")
struct SinksTests {
    @Test func forestRemovalsFollowTheCurve() throws {
        let city = stripTown([(.zone(.forest), 0, 0), (.zone(.park), 1, 0)], occupancy: 0)
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
        let wet = stripTown([(.zone(.forest), 0, 0)], occupancy: 0)
        let dry = stripTown([(.zone(.forest), 0, 0)], occupancy: 0)
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
}
