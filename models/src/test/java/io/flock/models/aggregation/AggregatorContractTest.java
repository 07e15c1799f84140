package io.flock.models.aggregation;

import static io.flock.models.aggregation.Updates.LAYOUT;
import static io.flock.models.aggregation.Updates.w;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every {@link UpdateAggregator} promises about bad input, whatever its rule. */
class AggregatorContractTest {

  static Stream<Named<Supplier<UpdateAggregator>>> aggregators() {
    return Stream.of(
        Named.of("weighted mean", () -> new StreamingFedAvg(LAYOUT)),
        Named.of("coordinate median", () -> new CoordinateMedian(LAYOUT)),
        Named.of("trimmed mean", () -> new TrimmedMean(LAYOUT, 0.2)),
        Named.of("krum", () -> new Krum(LAYOUT, 0, 1)),
        Named.of("multi-krum", () -> new Krum(LAYOUT, 0, 2)),
        Named.of("DP mean, central", () -> new DpMeanAggregator(LAYOUT, 1.0, 0.0, 3,
            io.flock.privacy.dp.GaussianNoise.create())),
        Named.of("DP mean, noised shares", () -> DpMeanAggregator.ofNoisedShares(LAYOUT, 1.0, 3)));
  }

  @ParameterizedTest
  @MethodSource("aggregators")
  void rejectedUpdatesThrowAndLeaveTheAggregatorUnchanged(Supplier<UpdateAggregator> factory) {
    UpdateAggregator agg = factory.get();
    agg.add("a", w(1, 2), 10);
    agg.add("b", w(3, 4), 20);
    agg.add("c", w(5, 0), 30);
    ModelWeights before = agg.result();

    ModelLayout other = new ModelLayout(List.of(ParamSpec.of("w", 3)));
    assertRejected(() -> agg.add("d", ModelWeights.zeros(other), 10), "wrong layout");
    assertRejected(() -> agg.add("d", w(Float.NaN, 0), 10), "non-finite value (NaN) at index 0");
    assertRejected(() -> agg.add("d", w(0, Float.NEGATIVE_INFINITY), 10), "at index 1");
    assertRejected(() -> agg.add("d", w(1, 1), 0), "numSamples must be > 0, was 0");
    assertRejected(() -> agg.add("d", w(1, 1), -5), "numSamples must be > 0, was -5");
    assertRejected(() -> agg.add("d", null, 10), "update is missing");
    assertRejected(() -> agg.add("a", w(1, 1), 10), "node 'a' already contributed");
    assertRejected(() -> agg.add(" ", w(1, 1), 10), "nodeId must not be blank");

    assertEquals(3, agg.count());
    assertEquals(60, agg.totalSamples());
    assertEquals(before, agg.result());
  }

  @ParameterizedTest
  @MethodSource("aggregators")
  void aggregateOfNothingIsAnError(Supplier<UpdateAggregator> factory) {
    IllegalStateException e = assertThrows(IllegalStateException.class, factory.get()::result);
    assertTrue(e.getMessage().contains("no update"), e.getMessage());
  }

  private static void assertRejected(Executable add, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, add);
    assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' lacks '" + expected + "'");
  }
}
