export * from '../../testing/src/fake-robots/fake-dingtalk-robot.js';
