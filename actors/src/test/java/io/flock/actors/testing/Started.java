package io.flock.actors.testing;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Tells a probe when a behavior's setup has run. With {@code ManualTime}, a test must not let
 * virtual time pass before an actor has armed its timers (a timer armed later would fire later);
 * this is the barrier that makes such tests deterministic without waiting in real time.
 */
public final class Started {

  private Started() {}

  /** {@code behavior}, which sends {@code "started"} to {@code started} right after its setup. */
  public static <T> Behavior<T> signalling(
      Class<T> type, Behavior<T> behavior, ActorRef<String> started) {
    return Behaviors.intercept(
        () ->
            new BehaviorInterceptor<T, T>(type) {
              @Override
              public Behavior<T> aroundStart(TypedActorContext<T> ctx, PreStartTarget<T> target) {
                Behavior<T> running = target.start(ctx);
                started.tell("started");
                return running;
              }

              @Override
              public Behavior<T> aroundReceive(
                  TypedActorContext<T> ctx, T msg, ReceiveTarget<T> target) {
                return target.apply(ctx, msg);
              }
            },
        behavior);
  }
}
