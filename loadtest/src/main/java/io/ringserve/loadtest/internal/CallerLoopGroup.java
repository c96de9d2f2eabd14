package io.ringserve.loadtest.internal;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import io.grpc.netty.shaded.io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The load generator's network event loops: Netty's, except that a task scheduled from one of the
 * group's own threads is scheduled on that thread.
 *
 * <p>Why: grpc-java arms each call's deadline timer on the channel's event loop group, and a
 * group's {@code schedule} hands it to the next loop in turn. The closed loop starts each call from
 * the previous call's completion, on a loop thread, so with Netty's own group most timers would go
 * to another loop and wake it (an {@code eventfd} write, a tenth of the load generator's CPU at
 * {@code simple} c=32, docs/PERFORMANCE.md), and each cancellation on completion would cross back.
 * On the calling loop the timer is a queue insert and its cancellation a removal, neither waking a
 * thread. Calls started elsewhere (the first of each lane, open-loop calls) still take the next
 * loop in turn, and so does channel registration, which does not go through {@code schedule}.
 *
 * <p>Threads are daemons, so a run that never closes its channels does not keep the JVM alive.
 * Thread-safe.
 */
final class CallerLoopGroup extends MultiThreadIoEventLoopGroup {
  private final EventExecutor[] loops;
  private final Class<? extends Channel> channelType;

  private CallerLoopGroup(IoHandlerFactory io, Class<? extends Channel> channelType) {
    // 0: Netty's default thread count, as grpc-java's own client group.
    super(0, new DefaultThreadFactory("ringserve-loadtest-loop", true), io);
    List<EventExecutor> children = new ArrayList<>();
    forEach(children::add);
    this.loops = children.toArray(new EventExecutor[0]);
    this.channelType = channelType;
  }

  /** A group on epoll where the native transport loads, else on NIO. */
  static CallerLoopGroup create() {
    return Epoll.isAvailable()
        ? new CallerLoopGroup(EpollIoHandler.newFactory(), EpollSocketChannel.class)
        : new CallerLoopGroup(NioIoHandler.newFactory(), NioSocketChannel.class);
  }

  /** The socket channel class that goes with this group's transport. */
  Class<? extends Channel> channelType() {
    return channelType;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return loopForCaller().schedule(command, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return loopForCaller().schedule(callable, delay, unit);
  }

  /** The calling thread's own loop when it is one of ours; otherwise the next loop in turn. */
  private EventExecutor loopForCaller() {
    for (EventExecutor loop : loops) {
      if (loop.inEventLoop()) {
        return loop;
      }
    }
    return next();
  }
}
