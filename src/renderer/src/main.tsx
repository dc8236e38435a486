import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

function App() {
  return <main>SMART Oilfield</main>;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
