/** The data tier constructs: PostgreSQL per service, the Redis cache, RabbitMQ, and their policies. */
export { EventTopology, queueName } from './events';
export { PostgresDatabase } from './postgres';
export { RabbitMqCluster } from './rabbitmq';
export { RedisCache } from './redis';
export { DataStoreNetworkPolicy } from './network-policy';
