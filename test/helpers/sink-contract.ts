export * from '../../testing/src/sink-contract.js';
