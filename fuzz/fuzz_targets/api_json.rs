//! Fuzz the API's JSON bodies: the first byte picks an observation or an area body, the rest
//! is deserialized and validated through the same types and checks the server's create and
//! correct handlers use (`ObservationInput::into_observation`, `AreaInput::into_area`).
#![no_main]

use chrono::NaiveDate;
use frontline::server::auth::Caller;
use frontline::server::routes::areas::{check_code, AreaInput};
use frontline::server::routes::observations::ObservationInput;
use frontline_core::ObservationKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        let Ok(input) = serde_json::from_slice::<ObservationInput>(body) else {
            return;
        };
        let caller = Caller {
            token_id: Some(1),
            who: "fuzz".into(),
            role: None,
        };
        let today = NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date");
        let key = ObservationKey::new("api:fuzz").expect("valid key");
        let _ = input.into_observation(key, &caller, today);
    } else {
        let Ok(input) = serde_json::from_slice::<AreaInput>(body) else {
            return;
        };
        let code = "fuzz-area";
        if check_code(code).is_ok() {
            let _ = input.into_area(code);
        }
    }
});
