package io.flock.models.training;

import io.flock.models.weights.ModelWeights;

/**
 * The outcome of local training on one node.
 *
 * @param weights the locally trained model
 * @param numSamples local samples seen per epoch (the FedAvg weight n_k)
 * @param meanLoss mean training loss over all local steps
 * @param steps optimizer steps taken
 */
public record LocalUpdate(ModelWeights weights, int numSamples, double meanLoss, int steps) {}
