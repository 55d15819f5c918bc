export * from '../../testing/src/fake-robots/fake-wecom-robot.js';
