/**
 * @hookmux/testing: what a plugin's tests need to hold it to hookmux's bar without mocks. The
 * sink contract table (ok, robot error codes, 5xx, timeout, connection reset, no secret in logs)
 * and fake robot servers on 127.0.0.1 that answer like WeCom, DingTalk and Feishu do.
 */
export * from './sink-contract.js';
export * from './fake-robots/local-http-server.js';
export * from './fake-robots/fake-wecom-robot.js';
export * from './fake-robots/fake-dingtalk-robot.js';
export * from './fake-robots/fake-feishu-robot.js';
