package io.flock.models.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Cross entropy over positions, with literal values: -ln(1/2) = 0.693147, -ln(3/4) = 0.287682. */
class TokenCrossEntropyLossTest {

  @Test
  void languageModelLossIsTheMeanOverAllPositions() {
    try (NDManager m = NDManager.newBaseManager()) {
      // position 0: logits (0, 0), target 0 -> ln 2; position 1: logits (0, ln 3), target 1 -> -ln(3/4)
      NDList logits = new NDList(m.create(new float[] {0, 0, 0, (float) Math.log(3)}, new Shape(1, 2, 2)));
      NDList targets = new NDList(m.create(new int[] {0, 1}, new Shape(1, 2)));
      float loss = new TokenCrossEntropyLoss().evaluate(targets, logits).getFloat();
      assertEquals((0.693147 + 0.287682) / 2, loss, 1e-5);
    }
  }

  @Test
  void maskedLmLossCountsOnlyPositionsWithATarget() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList logits = new NDList(m.create(new float[] {0, 0, 0, (float) Math.log(3)}, new Shape(1, 2, 2)));
      NDList onlySecond = new NDList(m.create(new int[] {TokenCrossEntropyLoss.IGNORE, 1}, new Shape(1, 2)));
      assertEquals(0.287682, new TokenCrossEntropyLoss().evaluate(onlySecond, logits).getFloat(), 1e-5);
      NDList none = new NDList(m.create(new int[] {-1, -1}, new Shape(1, 2)));
      assertEquals(0.0, new TokenCrossEntropyLoss().evaluate(none, logits).getFloat(), 0.0);
    }
  }
}
