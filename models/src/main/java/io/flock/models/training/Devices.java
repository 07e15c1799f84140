package io.flock.models.training;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Chooses the device a worker or evaluator runs on. */
public final class Devices {

  private Devices() {}

  /**
   * GPU {@code index} when {@code gpuEnabled} and the engine sees that many GPUs, else the CPU.
   * The engine reports zero GPUs when only the CPU natives are on the class path.
   */
  public static Device select(boolean gpuEnabled, int index) {
    if (gpuEnabled && Engine.getInstance().getGpuCount() > index) {
      return Device.gpu(index);
    }
    return Device.cpu();
  }
}
