// Named codes from PostgreSQL 15, Appendix A ("PostgreSQL Error Codes"). Names follow the
// condition names of that table, in camelCase.
extension SQLState {
    // MARK: - Class 00, 01, 02

    /// 00000 successful_completion
    public static let successfulCompletion = SQLState(rawValue: "00000")
    /// 01000 warning
    public static let warning = SQLState(rawValue: "01000")
    /// 02000 no_data
    public static let noData = SQLState(rawValue: "02000")

    // MARK: - Class 08: connection exception

    /// 08000 connection_exception
    public static let connectionException = SQLState(rawValue: "08000")
    /// 08003 connection_does_not_exist
    public static let connectionDoesNotExist = SQLState(rawValue: "08003")
    /// 08006 connection_failure
    public static let connectionFailure = SQLState(rawValue: "08006")
    /// 08001 sqlclient_unable_to_establish_sqlconnection
    public static let sqlclientUnableToEstablishSQLConnection = SQLState(rawValue: "08001")
    /// 08004 sqlserver_rejected_establishment_of_sqlconnection
    public static let sqlserverRejectedEstablishmentOfSQLConnection = SQLState(rawValue: "08004")
    /// 08P01 protocol_violation
    public static let protocolViolation = SQLState(rawValue: "08P01")

    // MARK: - Class 0A, 21, 22: feature, cardinality, data

    /// 0A000 feature_not_supported
    public static let featureNotSupported = SQLState(rawValue: "0A000")
    /// 21000 cardinality_violation
    public static let cardinalityViolation = SQLState(rawValue: "21000")
    /// 22000 data_exception
    public static let dataException = SQLState(rawValue: "22000")
    /// 22001 string_data_right_truncation
    public static let stringDataRightTruncation = SQLState(rawValue: "22001")
    /// 22003 numeric_value_out_of_range
    public static let numericValueOutOfRange = SQLState(rawValue: "22003")
    /// 22004 null_value_not_allowed
    public static let nullValueNotAllowed = SQLState(rawValue: "22004")
    /// 22007 invalid_datetime_format
    public static let invalidDatetimeFormat = SQLState(rawValue: "22007")
    /// 22008 datetime_field_overflow
    public static let datetimeFieldOverflow = SQLState(rawValue: "22008")
    /// 22012 division_by_zero
    public static let divisionByZero = SQLState(rawValue: "22012")
    /// 22021 character_not_in_repertoire
    public static let characterNotInRepertoire = SQLState(rawValue: "22021")
    /// 22023 invalid_parameter_value
    public static let invalidParameterValue = SQLState(rawValue: "22023")
    /// 22P02 invalid_text_representation
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")
    /// 22P03 invalid_binary_representation
    public static let invalidBinaryRepresentation = SQLState(rawValue: "22P03")
    /// 22P04 bad_copy_file_format
    public static let badCopyFileFormat = SQLState(rawValue: "22P04")
    /// 22P05 untranslatable_character
    public static let untranslatableCharacter = SQLState(rawValue: "22P05")

    // MARK: - Class 23: integrity constraint violation

    /// 23000 integrity_constraint_violation
    public static let integrityConstraintViolation = SQLState(rawValue: "23000")
    /// 23001 restrict_violation
    public static let restrictViolation = SQLState(rawValue: "23001")
    /// 23502 not_null_violation
    public static let notNullViolation = SQLState(rawValue: "23502")
    /// 23503 foreign_key_violation
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    /// 23505 unique_violation
    public static let uniqueViolation = SQLState(rawValue: "23505")
    /// 23514 check_violation
    public static let checkViolation = SQLState(rawValue: "23514")
    /// 23P01 exclusion_violation
    public static let exclusionViolation = SQLState(rawValue: "23P01")

    // MARK: - Class 25, 28, 2B, 34, 3D, 3F: state, authorization, names

    /// 25000 invalid_transaction_state
    public static let invalidTransactionState = SQLState(rawValue: "25000")
    /// 25001 active_sql_transaction
    public static let activeSQLTransaction = SQLState(rawValue: "25001")
    /// 25006 read_only_sql_transaction
    public static let readOnlySQLTransaction = SQLState(rawValue: "25006")
    /// 25P01 no_active_sql_transaction
    public static let noActiveSQLTransaction = SQLState(rawValue: "25P01")
    /// 25P02 in_failed_sql_transaction
    public static let inFailedSQLTransaction = SQLState(rawValue: "25P02")
    /// 25P03 idle_in_transaction_session_timeout
    public static let idleInTransactionSessionTimeout = SQLState(rawValue: "25P03")
    /// 26000 invalid_sql_statement_name (a prepared statement the server does not have)
    public static let invalidSQLStatementName = SQLState(rawValue: "26000")
    /// 28000 invalid_authorization_specification
    public static let invalidAuthorizationSpecification = SQLState(rawValue: "28000")
    /// 28P01 invalid_password
    public static let invalidPassword = SQLState(rawValue: "28P01")
    /// 34000 invalid_cursor_name
    public static let invalidCursorName = SQLState(rawValue: "34000")
    /// 3D000 invalid_catalog_name (unknown database)
    public static let invalidCatalogName = SQLState(rawValue: "3D000")
    /// 3F000 invalid_schema_name
    public static let invalidSchemaName = SQLState(rawValue: "3F000")

    // MARK: - Class 40: transaction rollback

    /// 40000 transaction_rollback
    public static let transactionRollback = SQLState(rawValue: "40000")
    /// 40001 serialization_failure
    public static let serializationFailure = SQLState(rawValue: "40001")
    /// 40002 transaction_integrity_constraint_violation
    public static let transactionIntegrityConstraintViolation = SQLState(rawValue: "40002")
    /// 40003 statement_completion_unknown
    public static let statementCompletionUnknown = SQLState(rawValue: "40003")
    /// 40P01 deadlock_detected
    public static let deadlockDetected = SQLState(rawValue: "40P01")

    // MARK: - Class 42: syntax error or access rule violation

    /// 42000 syntax_error_or_access_rule_violation
    public static let syntaxErrorOrAccessRuleViolation = SQLState(rawValue: "42000")
    /// 42501 insufficient_privilege
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    /// 42601 syntax_error
    public static let syntaxError = SQLState(rawValue: "42601")
    /// 42703 undefined_column
    public static let undefinedColumn = SQLState(rawValue: "42703")
    /// 42704 undefined_object
    public static let undefinedObject = SQLState(rawValue: "42704")
    /// 42710 duplicate_object
    public static let duplicateObject = SQLState(rawValue: "42710")
    /// 42804 datatype_mismatch
    public static let datatypeMismatch = SQLState(rawValue: "42804")
    /// 42809 wrong_object_type
    public static let wrongObjectType = SQLState(rawValue: "42809")
    /// 42830 invalid_foreign_key
    public static let invalidForeignKey = SQLState(rawValue: "42830")
    /// 42883 undefined_function
    public static let undefinedFunction = SQLState(rawValue: "42883")
    /// 42P01 undefined_table
    public static let undefinedTable = SQLState(rawValue: "42P01")
    /// 42P02 undefined_parameter
    public static let undefinedParameter = SQLState(rawValue: "42P02")
    /// 42P03 duplicate_cursor
    public static let duplicateCursor = SQLState(rawValue: "42P03")
    /// 42P04 duplicate_database
    public static let duplicateDatabase = SQLState(rawValue: "42P04")
    /// 42P05 duplicate_prepared_statement
    public static let duplicatePreparedStatement = SQLState(rawValue: "42P05")
    /// 42P06 duplicate_schema
    public static let duplicateSchema = SQLState(rawValue: "42P06")
    /// 42P07 duplicate_table
    public static let duplicateTable = SQLState(rawValue: "42P07")
    /// 42P08 ambiguous_parameter
    public static let ambiguousParameter = SQLState(rawValue: "42P08")
    /// 42P10 invalid_column_reference
    public static let invalidColumnReference = SQLState(rawValue: "42P10")
    /// 42P18 indeterminate_datatype
    public static let indeterminateDatatype = SQLState(rawValue: "42P18")
    /// 42702 ambiguous_column
    public static let ambiguousColumn = SQLState(rawValue: "42702")

    // MARK: - Class 53, 54, 55, 57, 58, XX

    /// 53000 insufficient_resources
    public static let insufficientResources = SQLState(rawValue: "53000")
    /// 53100 disk_full
    public static let diskFull = SQLState(rawValue: "53100")
    /// 53200 out_of_memory
    public static let outOfMemory = SQLState(rawValue: "53200")
    /// 53300 too_many_connections
    public static let tooManyConnections = SQLState(rawValue: "53300")
    /// 54000 program_limit_exceeded
    public static let programLimitExceeded = SQLState(rawValue: "54000")
    /// 55000 object_not_in_prerequisite_state
    public static let objectNotInPrerequisiteState = SQLState(rawValue: "55000")
    /// 55P03 lock_not_available
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    /// 57000 operator_intervention
    public static let operatorIntervention = SQLState(rawValue: "57000")
    /// 57014 query_canceled (cancel request or statement_timeout)
    public static let queryCanceled = SQLState(rawValue: "57014")
    /// 57P01 admin_shutdown
    public static let adminShutdown = SQLState(rawValue: "57P01")
    /// 57P02 crash_shutdown
    public static let crashShutdown = SQLState(rawValue: "57P02")
    /// 57P03 cannot_connect_now (starting up or in recovery)
    public static let cannotConnectNow = SQLState(rawValue: "57P03")
    /// 57P04 database_dropped
    public static let databaseDropped = SQLState(rawValue: "57P04")
    /// 58000 system_error
    public static let systemError = SQLState(rawValue: "58000")
    /// 58030 io_error
    public static let ioError = SQLState(rawValue: "58030")
    /// XX000 internal_error
    public static let internalError = SQLState(rawValue: "XX000")
}
