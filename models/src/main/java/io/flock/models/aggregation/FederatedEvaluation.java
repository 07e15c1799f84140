package io.flock.models.aggregation;

/**
 * The result of federated evaluation in one round: loss and accuracy over all evaluating nodes,
 * each node weighted by its number of examples.
 *
 * @param loss example-weighted mean loss
 * @param accuracy example-weighted mean accuracy, in [0, 1]
 * @param examples examples evaluated in total
 * @param nodes nodes that reported
 */
public record FederatedEvaluation(double loss, double accuracy, long examples, int nodes) {}
