// The one place reflect-metadata is loaded: inversify's decorators need it, and every plugin
// imports DI from @hookmux/core so that the process has one inversify and one metadata registry.
import 'reflect-metadata';

export {
  Container,
  ContainerModule,
  inject,
  injectable,
  multiInject,
  optional,
  postConstruct,
  preDestroy,
  type ContainerModuleLoadOptions,
  type ServiceIdentifier,
} from 'inversify';
