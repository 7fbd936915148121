//! [`Executor`]: where a query runs, the pool (a [`Client`]) or one open [`Transaction`].
//! Generated model accessors take an `Executor`, so they work the same on both; this is
//! also the one place statements are prepared (cached per connection), run and logged.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use futures_util::TryStreamExt;
use postgres_types::ToSql;
use tokio_postgres::Row;

use crate::client::Client;
use crate::decode::FromRow;
use crate::error::Error;
use crate::model::ModelMeta;
use crate::render::{RenderContext, Statement};
use crate::transaction::Transaction;

/// A boxed, sendable future: the return type of closures given to [`Executor::atomically`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where queries run. Copy, two words; generated code stores it in its builders.
#[derive(Clone, Copy, Debug)]
pub enum Executor<'a> {
    Client(&'a Client),
    Transaction(&'a Transaction),
}

/// Anything queries can run on: [`Client`], [`Transaction`], [`Executor`]. Generated code
/// adds its model accessors (`db.user()`) to every `AsExecutor` through one extension trait.
pub trait AsExecutor {
    fn executor(&self) -> Executor<'_>;
}

impl AsExecutor for Executor<'_> {
    fn executor(&self) -> Executor<'_> {
        *self
    }
}

const LOG_TARGET: &str = "refract::query";

impl<'a> Executor<'a> {
    pub(crate) fn render_context(&self) -> RenderContext<'a> {
        match *self {
            Executor::Client(client) => client.render_context(),
            Executor::Transaction(tx) => tx.render_context(),
        }
    }

    /// Runs a rendered statement, returning its rows.
    pub(crate) async fn fetch(
        &self,
        statement: &Statement<'_>,
        model: Option<&ModelMeta>,
    ) -> Result<Vec<Row>, Error> {
        let started = log_start();
        let rows = match *self {
            Executor::Client(client) => {
                let connection = client.connection().await?;
                fetch_on(&connection, statement).await
            }
            Executor::Transaction(tx) => fetch_on(tx.connection()?, statement).await,
        };
        log_finish(started, &statement.sql, statement.params.len());
        rows.map_err(|error| Error::from_postgres(error, model))
    }

    /// Runs a rendered statement, returning the number of rows it affected.
    pub(crate) async fn execute(
        &self,
        statement: &Statement<'_>,
        model: Option<&ModelMeta>,
    ) -> Result<u64, Error> {
        let started = log_start();
        let count = match *self {
            Executor::Client(client) => {
                let connection = client.connection().await?;
                execute_on(&connection, statement).await
            }
            Executor::Transaction(tx) => execute_on(tx.connection()?, statement).await,
        };
        log_finish(started, &statement.sql, statement.params.len());
        count.map_err(|error| Error::from_postgres(error, model))
    }

    /// Runs raw SQL with bound parameters (`$1`, `$2`, ...) and returns the rows.
    pub async fn query_raw(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, Error> {
        let started = log_start();
        let rows = match *self {
            Executor::Client(client) => {
                let connection = client.connection().await?;
                raw_query_on(&connection, sql, params).await
            }
            Executor::Transaction(tx) => raw_query_on(tx.connection()?, sql, params).await,
        };
        log_finish(started, sql, params.len());
        rows.map_err(|error| Error::from_postgres(error, None))
    }

    /// [`Executor::query_raw`], each row decoded as `T` (a generated model, a tuple of
    /// column types, or any [`FromRow`]).
    pub async fn query_raw_as<T: FromRow>(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<T>, Error> {
        self.query_raw(sql, params)
            .await?
            .iter()
            .map(T::from_row)
            .collect()
    }

    /// Runs raw SQL with bound parameters and returns the number of rows affected.
    pub async fn execute_raw(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, Error> {
        let started = log_start();
        let count = match *self {
            Executor::Client(client) => {
                let connection = client.connection().await?;
                raw_execute_on(&connection, sql, params).await
            }
            Executor::Transaction(tx) => raw_execute_on(tx.connection()?, sql, params).await,
        };
        log_finish(started, sql, params.len());
        count.map_err(|error| Error::from_postgres(error, None))
    }

    /// Runs `work` atomically: in a new transaction on a client, as part of the current
    /// one on a transaction. For operations of several statements (chunked inserts,
    /// upserts that cannot use `ON CONFLICT`, nested writes).
    pub async fn atomically<T, F>(self, work: F) -> Result<T, Error>
    where
        T: Send,
        F: for<'t> FnOnce(Executor<'t>) -> BoxFuture<'t, Result<T, Error>> + Send,
    {
        match self {
            Executor::Client(client) => {
                client
                    .transaction(move |tx| async move { work(Executor::Transaction(&tx)).await })
                    .await
            }
            Executor::Transaction(_) => work(self).await,
        }
    }
}

async fn fetch_on(
    connection: &deadpool_postgres::ClientWrapper,
    statement: &Statement<'_>,
) -> Result<Vec<Row>, tokio_postgres::Error> {
    if statement.cacheable {
        let prepared = connection.prepare_cached(&statement.sql).await?;
        connection
            .query_raw(&prepared, statement.params.iter())
            .await?
            .try_collect()
            .await
    } else {
        connection
            .query_raw(statement.sql.as_str(), statement.params.iter())
            .await?
            .try_collect()
            .await
    }
}

async fn execute_on(
    connection: &deadpool_postgres::ClientWrapper,
    statement: &Statement<'_>,
) -> Result<u64, tokio_postgres::Error> {
    if statement.cacheable {
        let prepared = connection.prepare_cached(&statement.sql).await?;
        connection
            .execute_raw(&prepared, statement.params.iter())
            .await
    } else {
        connection
            .execute_raw(statement.sql.as_str(), statement.params.iter())
            .await
    }
}

async fn raw_query_on(
    connection: &deadpool_postgres::ClientWrapper,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let prepared = connection.prepare_cached(sql).await?;
    connection.query(&prepared, params).await
}

async fn raw_execute_on(
    connection: &deadpool_postgres::ClientWrapper,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, tokio_postgres::Error> {
    let prepared = connection.prepare_cached(sql).await?;
    connection.execute(&prepared, params).await
}

/// The start time, only when query logging is on: free when it is off.
#[inline]
fn log_start() -> Option<Instant> {
    tracing::enabled!(target: LOG_TARGET, tracing::Level::DEBUG).then(Instant::now)
}

#[inline]
fn log_finish(started: Option<Instant>, sql: &str, params: usize) {
    if let Some(started) = started {
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        tracing::debug!(target: LOG_TARGET, sql, params, duration_us = micros, "query");
    }
}
