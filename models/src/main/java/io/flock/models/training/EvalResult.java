package io.flock.models.training;

/**
 * Loss and accuracy of a model on a data set.
 *
 * @param loss mean softmax cross-entropy per sample
 * @param accuracy fraction of samples whose arg-max prediction equals the label
 * @param samples number of samples evaluated
 */
public record EvalResult(double loss, double accuracy, int samples) {}
