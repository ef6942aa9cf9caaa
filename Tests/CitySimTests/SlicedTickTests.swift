// SlicedTickTests — a tick run in slices (City.stepSlice, the window at speed 1) computes the
// same bytes as `step()`; commands and saves wait for the tick under way to finish.
import CitySim
import ECS
import Testing

@Suite("Sliced ticks")
struct SlicedTickTests {
    /// Runs ticks in the smallest slices (one system each) until `ticks` are complete.
    static func sliced(_ city: City, ticks: Int) {
        var done = 0
        while done < ticks { if city.stepSlice(budget: 0) { done += 1 } }
    }

    /// Thirty hours of the sandbox stepped whole and in one-system slices, with a command the
    /// sliced city receives mid-tick: it applies in the next tick, as it does for the whole
    /// stepper that receives it after the tick; the worlds hash the same.
    @Test func slicedTicksComputeTheSameBytes() {
        let whole = City(level: sandboxLevel(), catalog: testCatalog)
        let sliced = City(level: sandboxLevel(), catalog: testCatalog)
        let command = CityCommand.build(.zone(.forest), x: 1, y: 1)
        whole.run(hours: 5)
        whole.submit(command)
        whole.run(hours: 25)
        Self.sliced(sliced, ticks: 4)
        #expect(sliced.stepSlice(budget: 0) == false && sliced.isMidTick)
        sliced.submit(command)
        Self.sliced(sliced, ticks: 26)
        #expect(!sliced.isMidTick)
        #expect(whole.view.clock.tick == sliced.view.clock.tick)
        #expect(whole.world.contentHash() == sliced.world.contentHash())
        #expect(whole.view.ledger.thisYear.net == sliced.view.ledger.thisYear.net)
    }

    /// A save taken mid-tick finishes the tick first (a save holds whole ticks), and equals the
    /// save of a city stepped whole to the same hour.
    @Test func aSaveMidTickFinishesTheTick() throws {
        let whole = City(level: sandboxLevel(), catalog: testCatalog)
        let sliced = City(level: sandboxLevel(), catalog: testCatalog)
        whole.run(hours: 3)
        Self.sliced(sliced, ticks: 2)
        #expect(sliced.stepSlice(budget: 0) == false)
        let bytes = try sliced.saveData()
        #expect(!sliced.isMidTick)
        #expect(bytes == (try whole.saveData()))
        // step() on a city mid-tick finishes that tick: one hour, not two.
        #expect(sliced.stepSlice(budget: 0) == false)
        sliced.step()
        whole.step()
        #expect(whole.view.clock.tick == sliced.view.clock.tick && whole.world.contentHash() == sliced.world.contentHash())
    }
}
