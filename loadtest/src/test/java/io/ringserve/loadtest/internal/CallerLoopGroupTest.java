package io.ringserve.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallerLoopGroupTest {
  private final CallerLoopGroup group = CallerLoopGroup.create();

  @AfterEach
  void shutDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void aTaskScheduledFromOneOfItsLoopsRunsOnThatLoop() throws Exception {
    List<EventExecutor> loops = new ArrayList<>();
    group.forEach(loops::add);
    assertTrue(loops.size() >= 2, "Netty's default gives at least two loops, got " + loops.size());
    for (EventExecutor loop : loops) {
      CompletableFuture<Thread> scheduler = new CompletableFuture<>();
      CompletableFuture<Thread> runner = new CompletableFuture<>();
      CompletableFuture<Thread> callableRunner = new CompletableFuture<>();
      loop.execute(
          () -> {
            scheduler.complete(Thread.currentThread());
            // gRPC arms deadlines through the Runnable overload; the Callable one is checked too.
            Runnable runnable = () -> runner.complete(Thread.currentThread());
            Callable<Boolean> callable = () -> callableRunner.complete(Thread.currentThread());
            group.schedule(runnable, 1, TimeUnit.MILLISECONDS);
            group.schedule(callable, 1, TimeUnit.MILLISECONDS);
          });
      Thread loopThread = scheduler.get(5, TimeUnit.SECONDS);
      assertEquals(loopThread, runner.get(5, TimeUnit.SECONDS));
      assertEquals(loopThread, callableRunner.get(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void tasksScheduledFromOtherThreadsAreSpreadOverTheLoops() throws Exception {
    Set<Thread> runners = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      CompletableFuture<Thread> runner = new CompletableFuture<>();
      Runnable runnable = () -> runner.complete(Thread.currentThread());
      group.schedule(runnable, 1, TimeUnit.MILLISECONDS);
      runners.add(runner.get(5, TimeUnit.SECONDS));
    }
    assertTrue(runners.size() >= 2, "every task ran on " + runners);
    assertTrue(runners.stream().noneMatch(t -> t == Thread.currentThread()));
    assertTrue(runners.stream().allMatch(Thread::isDaemon), "loop threads must not keep the JVM");
  }
}
