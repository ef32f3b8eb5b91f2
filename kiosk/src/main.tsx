import { render } from 'preact';
import { App } from './app';
import { createAppState } from './lib/state';

const state = createAppState();
state.setLang(state.lang.value);
render(<App state={state} />, document.getElementById('app')!);
