import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AppContext } from './appContext';
import { browserCeremony } from './ceremony';
import './styles.css';

// The renderer has no network at all: window.keylaunch (the preload's DesktopApi) is its only way out.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppContext.Provider value={{ desktop: window.keylaunch, ceremony: browserCeremony }}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
