import type { HarnessContext } from './context.js';
import type { RunningService, ServiceDefinition } from './service.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Installs sequentially (package managers hold locks), then starts every service in parallel. */
export async function startAll(ctx: HarnessContext, services: readonly ServiceDefinition[]): Promise<RunningService[]> {
  for (const service of services) {
    const began = Date.now();
    await service.install(ctx);
    ctx.log(service.name, `installed (${Date.now() - began} ms)`);
  }
  const results = await Promise.allSettled(
    services.map(async (service) => {
      const began = Date.now();
      const running = await service.start(ctx);
      ctx.log(service.name, `ready (${Date.now() - began} ms)`);
      return running;
    }),
  );
  const running = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length > 0) {
    await stopAll(ctx, running);
    throw new AggregateError(failures, `Could not start ${failures.length} service(s): ${failures.map(String).join('\n')}`);
  }
  return running;
}

/** Stops each service gracefully, then SIGKILLs whichever of its own PIDs are still alive. */
export async function stopAll(ctx: HarnessContext, running: readonly RunningService[]): Promise<void> {
  await Promise.allSettled(running.map((service) => service.stop()));
  const pids = running.flatMap((service) => service.pids);
  for (const pid of pids.filter(alive)) {
    process.kill(pid, 'SIGTERM');
  }
  const deadline = Date.now() + 15_000;
  while (pids.some(alive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const pid of pids.filter(alive)) {
    ctx.log('harness', `killing ${pid}, still alive after SIGTERM`);
    process.kill(pid, 'SIGKILL');
  }
}
