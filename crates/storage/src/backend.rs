//! What a SQL database must provide for Rapport's store to run on it.
//!
//! The statements are portable (`$N` placeholders, `RETURNING`, row-value
//! comparisons, `ON CONFLICT`), and the column types are native to each
//! backend (SQLite: 16-byte BLOB ids and text timestamps; PostgreSQL:
//! `uuid` and `timestamptz`), so the store is written once, generic over a
//! [`SqlBackend`]: `impl<B> ContactStore for B where B: SqlBackend, …`.
//! A backend supplies its pools, how it opens a write transaction, the few
//! statements whose dialects differ, and how other processes' commits are
//! detected.
//!
//! sqlx states what a database can bind and decode as trait bounds on each
//! Rust type (`Uuid: Encode<'q, Sqlite>`), and Rust does not carry bounds on
//! other types from a trait to its users, so each generic block states them
//! again, always as the same list, in this order:
//!
//! ```text
//! where
//!     B: SqlBackend,
//!     for<'c> &'c mut Conn<B>: Executor<'c, Database = Db<B>>,
//!     for<'q> Args<'q, B>: IntoArguments<'q, Db<B>>,
//!     for<'r> &'r str: ColumnIndex<Row<B>>,
//!     usize: ColumnIndex<Row<B>>,
//!     for<'q, 'r> Uuid: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
//!     for<'q, 'r> String: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
//!     for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
//!     for<'q, 'r> i64: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
//!     for<'q, 'r> i32: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
//!     for<'q, 'r> bool: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
//!     for<'q, 'r> DateTime<Utc>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
//!     for<'q, 'r> NaiveDate: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
//!     for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
//!     for<'q, 'r> Vec<u8>: Encode<'q, Db<B>> + Decode<'r, Db<B>> + Type<Db<B>>,
//!     for<'q> Option<Uuid>: Encode<'q, Db<B>>,
//!     for<'q> Option<String>: Encode<'q, Db<B>>,
//!     for<'q> Option<&'q str>: Encode<'q, Db<B>>,
//!     for<'q> Option<i64>: Encode<'q, Db<B>>,
//!     for<'q> Option<i32>: Encode<'q, Db<B>>,
//!     for<'q> Option<DateTime<Utc>>: Encode<'q, Db<B>>,
//!     for<'q> Option<NaiveDate>: Encode<'q, Db<B>>,
//! ```
//!
//! (Each driver implements `Encode` for `Option<T>` itself, so those are
//! listed too.) Statements put together at run time use [`Statement`]
//! rather than sqlx's `QueryBuilder`, whose arguments borrow the builder
//! for its whole life, which generic code cannot drop.

use std::future::Future;

use crate::{Backend, ChangeFeed, ChangeStamp, Result};
use sqlx::{Arguments, Database, Encode, Pool, Transaction, Type};

/// A database Rapport's generic store runs on (see the module notes).
pub trait SqlBackend: Send + Sync + 'static {
    /// The sqlx driver.
    type Db: Database<QueryResult: RowsAffected> + sqlx::database::HasStatementCache;

    /// Which backend this is (for the instance's own reports).
    const BACKEND: Backend;

    /// How many values one multi-row statement ([`Statement::rows`]) binds
    /// at most: fewer statements mean fewer round trips and preparations.
    const VALUES_PER_STATEMENT: usize;

    /// Whether a statement whose values are all bound in order is better
    /// written with anonymous `?` placeholders: SQLite finds each *named*
    /// parameter (`$N`) by walking the statement's list of them, so binding
    /// thousands of them costs the square of their number (a 9,200-value
    /// INSERT spent most of an import's commit there).
    const ANONYMOUS_PLACEHOLDERS: bool;

    /// Whether the database may plan a prepared statement once for all
    /// values of its parameters (PostgreSQL's "generic plan", chosen after
    /// five runs). A statement whose best plan depends on its values — a
    /// search, where a prefix may match three contacts or three thousand —
    /// is then sent unprepared, so that each run is planned for its own
    /// values: the generic plan of the contact search scanned every word of
    /// every match (7.7 ms against 0.4 ms planned, 1,000 contacts).
    const GENERIC_PLANS: bool;

    /// The owner's (`$1`) network view as one JSON array text, built by the
    /// database in one statement, where that is the fast way (SQLite keeps
    /// the objects it builds as JSON); `None`: the rows are read and the
    /// text written here (PostgreSQL spends several times longer building
    /// it than sending typed rows).
    const NETWORK_JSON: Option<&'static str>;

    /// The pool reads go through.
    fn reader(&self) -> &Pool<Self::Db>;

    /// Opens a write transaction. SQLite has one writer connection and
    /// begins `IMMEDIATE`, so writers queue instead of failing.
    fn begin_write(&self) -> impl Future<Output = Result<Transaction<'static, Self::Db>>> + Send;

    /// Makes concurrent registrations take turns inside `tx` (two first
    /// accounts must not both become the admin).
    fn serialize_registrations(
        &self,
        tx: &mut Transaction<'static, Self::Db>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Hears other processes' commits as they happen (PostgreSQL:
    /// LISTEN/NOTIFY); `None` where the backend offers no feed.
    fn change_feed(&self) -> impl Future<Output = Result<Option<Box<dyn ChangeFeed>>>> + Send;

    /// Where there is no feed: a value any process's commit changes.
    fn stamp(&self) -> impl Future<Output = Option<ChangeStamp>> + Send;

    /// A consistent copy of the database at `path`, taken online.
    fn backup(&self, path: &str) -> impl Future<Output = Result<()>> + Send;
}

/// Where the statements that several methods of a generic store share
/// live: `Sql::<B>::contact_in(&mut tx, owner, id)`.
pub(crate) struct Sql<B>(std::marker::PhantomData<B>);

/// The number of rows a statement changed (each driver has its own result
/// type).
pub trait RowsAffected {
    fn rows_affected(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::sqlite::SqliteQueryResult::rows_affected(self)
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        sqlx::postgres::PgQueryResult::rows_affected(self)
    }
}

/// The sqlx driver of backend `B`.
pub(crate) type Db<B> = <B as SqlBackend>::Db;
/// A connection of backend `B` (a transaction dereferences to one).
pub(crate) type Conn<B> = <Db<B> as Database>::Connection;
/// The bound arguments of a statement of backend `B`.
pub(crate) type Args<'q, B> = <Db<B> as Database>::Arguments<'q>;
/// A result row of backend `B`.
pub(crate) type Row<B> = <Db<B> as Database>::Row;

/// A statement put together at run time (optional filters, `IN` lists):
/// its SQL and its arguments, with a `$N` placeholder per bound value (or
/// `?`, for a statement of many rows on a backend that binds those faster:
/// see [`Statement::rows`]).
pub(crate) struct Statement<'q, B: SqlBackend> {
    sql: String,
    args: Args<'q, B>,
    count: usize,
    /// `?` instead of `$N` (see [`SqlBackend::ANONYMOUS_PLACEHOLDERS`]).
    anonymous: bool,
    /// The first value that could not be encoded, reported when it runs.
    error: Option<sqlx::error::BoxDynError>,
}

impl<'q, B: SqlBackend> Statement<'q, B> {
    pub(crate) fn new(sql: impl Into<String>) -> Self {
        Statement {
            sql: sql.into(),
            args: Default::default(),
            count: 0,
            anonymous: false,
            error: None,
        }
    }

    /// A statement of many rows (multi-row `INSERT`, `VALUES` lists) whose
    /// every value is bound with [`Self::push_bind`], in order: `sql` names
    /// no parameter itself.
    pub(crate) fn rows(sql: impl Into<String>) -> Self {
        Statement {
            anonymous: B::ANONYMOUS_PLACEHOLDERS,
            ..Self::new(sql)
        }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        use std::fmt::Write;
        let _ = write!(self.sql, "{sql}");
        self
    }

    /// Appends ` LIMIT n`. On PostgreSQL the number is written into the
    /// statement rather than bound: it never settles on a generic plan for
    /// a statement whose limit (or whose flag, see `list_contacts`) is a
    /// parameter, so a bound limit had every page planned anew; pages come
    /// in a few sizes, so a few prepared statements. SQLite keeps it bound:
    /// given a constant limit, its planner chose a plan for the open
    /// follow-ups that took 48 ms instead of 2 ms.
    pub(crate) fn push_limit(&mut self, limit: u32) -> &mut Self
    where
        i64: sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    {
        if B::GENERIC_PLANS {
            self.push(format_args!(" LIMIT {limit}"))
        } else {
            self.push(" LIMIT ").push_bind(i64::from(limit))
        }
    }

    /// Appends the placeholder of one more bound value.
    pub(crate) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'q, B::Db> + Type<B::Db> + Send + 'q,
    {
        self.count += 1;
        let count = self.count;
        if let Err(error) = self.args.add(value) {
            self.error.get_or_insert(error);
        }
        if self.anonymous {
            self.push("?")
        } else {
            self.push(format_args!("${count}"))
        }
    }

    /// Binds each of `values`, separated by commas (for `IN (…)`).
    pub(crate) fn push_list<T, I>(&mut self, values: I) -> &mut Self
    where
        I: IntoIterator<Item = T>,
        T: Encode<'q, B::Db> + Type<B::Db> + Send + 'q,
    {
        for (index, value) in values.into_iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.push_bind(value);
        }
        self
    }

    /// The SQL and its arguments, for `sqlx::query_as_with(&sql, args)`.
    pub(crate) fn into_parts(self) -> Result<(String, Args<'q, B>)> {
        match self.error {
            Some(error) => Err(sqlx::Error::Encode(error).into()),
            None => Ok((self.sql, self.args)),
        }
    }
}
