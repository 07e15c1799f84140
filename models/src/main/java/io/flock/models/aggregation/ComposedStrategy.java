package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link Strategy} assembled from its parts: an aggregation rule, a server optimizer and the
 * client-side settings. {@link Strategies#create} builds every named strategy this way; tests and
 * experiments can combine parts freely (for example a trimmed mean with FedAdam).
 */
public final class ComposedStrategy implements Strategy {

  private final String name;
  private final String description;
  private final Function<ModelLayout, UpdateAggregator> aggregators;
  private final Supplier<ServerOptimizer> optimizers;
  private final double proximalMu;
  private final boolean acceptsPartialWork;
  private final boolean aggregatesByMean;

  /**
   * A strategy from parts.
   *
   * @param name short name, not blank
   * @param description name and settings, for logs
   * @param aggregators makes one round's aggregator for a layout
   * @param optimizers makes one run's server optimizer
   * @param proximalMu FedProx coefficient sent to nodes, >= 0
   * @param acceptsPartialWork whether partial work from stragglers is kept
   * @param aggregatesByMean whether the aggregation rule is a mean of the updates (see {@link
   *     Strategy#aggregatesByMean()}): true lets differential privacy wrap the strategy
   */
  public ComposedStrategy(
      String name,
      String description,
      Function<ModelLayout, UpdateAggregator> aggregators,
      Supplier<ServerOptimizer> optimizers,
      double proximalMu,
      boolean acceptsPartialWork,
      boolean aggregatesByMean) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("strategy name must not be blank, was '" + name + "'");
    }
    if (aggregators == null || optimizers == null) {
      throw new IllegalArgumentException("strategy '" + name + "' needs an aggregator and an optimizer");
    }
    if (!(proximalMu >= 0) || Double.isInfinite(proximalMu)) {
      throw new IllegalArgumentException("mu must be >= 0 and finite, was " + proximalMu);
    }
    this.name = name;
    this.description = description == null ? name : description;
    this.aggregators = aggregators;
    this.optimizers = optimizers;
    this.proximalMu = proximalMu;
    this.acceptsPartialWork = acceptsPartialWork;
    this.aggregatesByMean = aggregatesByMean;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public UpdateAggregator newAggregator(ModelLayout layout, RoundShape round) {
    return aggregators.apply(layout);
  }

  @Override
  public ServerOptimizer newServerOptimizer() {
    return optimizers.get();
  }

  @Override
  public double proximalMu() {
    return proximalMu;
  }

  @Override
  public boolean acceptsPartialWork() {
    return acceptsPartialWork;
  }

  @Override
  public boolean aggregatesByMean() {
    return aggregatesByMean;
  }

  @Override
  public String toString() {
    return description;
  }
}
