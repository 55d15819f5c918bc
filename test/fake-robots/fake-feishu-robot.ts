export * from '../../testing/src/fake-robots/fake-feishu-robot.js';
