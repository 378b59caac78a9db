// Cosmos DB serverless, local auth off, with the database and every container the app uses
// (the data-plane role the app holds cannot create them).
param name string
param location string
param tags object
param databaseName string

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    capabilities: [ { name: 'EnableServerless' } ]
    locations: [ { locationName: location, failoverPriority: 0 } ]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

// Names and partition keys as in src/UrlShortener.Storage.Cosmos/CosmosDatabase.cs.
var containers = [
  { name: 'links', partitionKey: '/id', defaultTtl: -1 } // TTL on, nothing expires by default
  { name: 'linksByOwner', partitionKey: '/owner', defaultTtl: null }
  { name: 'counters', partitionKey: '/id', defaultTtl: null }
  { name: 'stats', partitionKey: '/code', defaultTtl: null }
  { name: 'idempotencyKeys', partitionKey: '/id', defaultTtl: -1 } // each key expires a day after its last write
]

resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for c in containers: {
  parent: database
  name: c.name
  properties: {
    resource: union({
      id: c.name
      partitionKey: { paths: [ c.partitionKey ], kind: 'Hash' }
    }, c.defaultTtl == null ? {} : { defaultTtl: c.defaultTtl })
  }
}]

output id string = account.id
output name string = account.name
output endpoint string = account.properties.documentEndpoint
